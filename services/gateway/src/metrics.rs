//! Prometheus metrics (`/metrics`, OpenMetrics text): requests, outbox depth, anchors per
//! state, chain heads and lag. Names are listed in docs/gateway.md.

use prometheus_client::{
	encoding::text::encode,
	metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
	registry::Registry,
};
use std::sync::atomic::AtomicU64;

type Labels = Vec<(String, String)>;

/// The gateway's metrics.
pub struct Metrics {
	registry: Registry,
	pub requests: Family<Labels, Counter>,
	pub request_seconds: Family<Labels, Histogram>,
	pub outbox_depth: Gauge,
	pub oldest_outbox_seconds: Gauge<f64, AtomicU64>,
	pub anchors: Family<Labels, Gauge>,
	pub chain_connected: Gauge,
	pub chain_best: Gauge,
	pub chain_finalized: Gauge,
	pub submitted: Counter,
	pub submissions: Family<Labels, Counter>,
	pub anchored_ops: Family<Labels, Counter>,
	pub exchange_requests: Family<Labels, Counter>,
	pub consent_decisions: Family<Labels, Counter>,
	pub exchange_connected: Gauge,
	pub exchange_finalized: Gauge,
	pub disclosures: Family<Labels, Gauge>,
	pub disclosure_submissions: Family<Labels, Counter>,
	pub disclosures_recorded: Counter,
	pub subscribers: Gauge,
	pub notifications: Counter,
}

fn latency_histogram() -> Histogram {
	Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])
}

impl Default for Metrics {
	fn default() -> Self {
		let mut registry = Registry::with_prefix("healthchain_gateway");
		let requests = Family::<Labels, Counter>::default();
		let request_seconds = Family::<Labels, Histogram>::new_with_constructor(
			latency_histogram as fn() -> Histogram,
		);
		let outbox_depth = Gauge::default();
		let oldest_outbox_seconds = Gauge::<f64, AtomicU64>::default();
		let anchors = Family::<Labels, Gauge>::default();
		let chain_connected = Gauge::default();
		let chain_best = Gauge::default();
		let chain_finalized = Gauge::default();
		let submitted = Counter::default();
		let submissions = Family::<Labels, Counter>::default();
		let anchored_ops = Family::<Labels, Counter>::default();
		let exchange_requests = Family::<Labels, Counter>::default();
		let consent_decisions = Family::<Labels, Counter>::default();
		let exchange_connected = Gauge::default();
		let exchange_finalized = Gauge::default();
		let disclosures = Family::<Labels, Gauge>::default();
		let disclosure_submissions = Family::<Labels, Counter>::default();
		let disclosures_recorded = Counter::default();
		let subscribers = Gauge::default();
		let notifications = Counter::default();
		registry.register(
			"exchange_requests",
			"Organisation-to-organisation requests by interaction and outcome (released, denied, failed)",
			exchange_requests.clone(),
		);
		registry.register(
			"consent_decisions",
			"Access decisions by source (cache, chain)",
			consent_decisions.clone(),
		);
		registry.register(
			"exchange_connected",
			"1 while the finality follower is live (else exchange reads fail closed)",
			exchange_connected.clone(),
		);
		registry.register(
			"exchange_finalized_block",
			"The finalized block access decisions are taken at",
			exchange_finalized.clone(),
		);
		registry.register(
			"disclosures",
			"Disclosures by state (pending, in_block, finalized, failed)",
			disclosures.clone(),
		);
		registry.register(
			"disclosure_submissions",
			"consent.recordDisclosures submissions by result (in_block, refused, failed, timeout)",
			disclosure_submissions.clone(),
		);
		registry.register(
			"disclosures_recorded",
			"Disclosures recorded on chain (in a block)",
			disclosures_recorded.clone(),
		);
		registry.register("subscribers", "Open event-stream subscriptions", subscribers.clone());
		registry.register(
			"notifications",
			"Notifications of new versions delivered to subscribers",
			notifications.clone(),
		);
		registry.register(
			"http_requests",
			"HTTP requests by method, route and status",
			requests.clone(),
		);
		registry.register(
			"http_request_duration_seconds",
			"HTTP request latency by method and route",
			request_seconds.clone(),
		);
		registry.register(
			"outbox_depth",
			"Versions not yet finalized on chain",
			outbox_depth.clone(),
		);
		registry.register(
			"outbox_oldest_age_seconds",
			"Age of the oldest version not yet finalized on chain",
			oldest_outbox_seconds.clone(),
		);
		registry.register(
			"anchors",
			"Versions by anchor state (pending, in_block, finalized, failed)",
			anchors.clone(),
		);
		registry.register(
			"chain_connected",
			"1 when the node answers, else 0",
			chain_connected.clone(),
		);
		registry.register("chain_best_block", "The node's best block number", chain_best.clone());
		registry.register(
			"chain_finalized_block",
			"The node's finalized block number",
			chain_finalized.clone(),
		);
		registry.register(
			"anchor_submitted",
			"Anchoring transactions accepted by the pool (anchorMany, or single calls in anchor_mode single)",
			submitted.clone(),
		);
		registry.register(
			"anchor_submissions",
			"records.anchorMany submissions by result (in_block, refused, timeout)",
			submissions.clone(),
		);
		registry.register(
			"anchored_operations",
			"Operations anchored, by op (anchor, amend, retract)",
			anchored_ops.clone(),
		);
		Self {
			registry,
			requests,
			request_seconds,
			outbox_depth,
			oldest_outbox_seconds,
			anchors,
			chain_connected,
			chain_best,
			chain_finalized,
			submitted,
			submissions,
			anchored_ops,
			exchange_requests,
			consent_decisions,
			exchange_connected,
			exchange_finalized,
			disclosures,
			disclosure_submissions,
			disclosures_recorded,
			subscribers,
			notifications,
		}
	}
}

pub fn labels(pairs: &[(&str, &str)]) -> Labels {
	pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

impl Metrics {
	/// The metrics in the OpenMetrics text format.
	pub fn render(&self) -> String {
		let mut out = String::new();
		if encode(&mut out, &self.registry).is_err() {
			return String::new();
		}
		out
	}

	/// Set the disclosure gauges.
	pub fn set_disclosures(&self, s: &crate::store::DisclosureStats) {
		for (state, n) in [
			("pending", s.pending),
			("in_block", s.in_block),
			("finalized", s.finalized),
			("failed", s.failed),
		] {
			self.disclosures.get_or_create(&labels(&[("state", state)])).set(n);
		}
	}

	/// Set the store-derived gauges.
	pub fn set_store(&self, s: &crate::store::Stats) {
		self.outbox_depth.set(s.outbox_depth);
		for (state, n) in [
			("pending", s.pending),
			("in_block", s.in_block),
			("finalized", s.finalized),
			("failed", s.failed),
		] {
			self.anchors.get_or_create(&labels(&[("state", state)])).set(n);
		}
		let age = s
			.oldest_outbox_ms
			.map(|t| (crate::store::now_ms() - t).max(0) as f64 / 1000.0)
			.unwrap_or(0.0);
		self.oldest_outbox_seconds.set(age);
	}
}
