//! Prometheus metrics (`/metrics`, OpenMetrics text), prefixed `healthchain_indexer_`:
//! blocks and facts written, the last indexed and the finalized block (their difference is
//! the lag), write time per block, follower errors, query API requests and latency. Names
//! are listed in docs/indexer.md.

use prometheus_client::{
	encoding::text::encode,
	metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
	registry::Registry,
};

type Labels = Vec<(String, String)>;

/// The indexer's metrics.
pub struct Metrics {
	registry: Registry,
	pub blocks: Counter,
	pub facts: Counter,
	pub indexed: Gauge,
	pub finalized: Gauge,
	pub errors: Counter,
	pub write_seconds: Histogram,
	pub requests: Family<Labels, Counter>,
	pub request_seconds: Family<Labels, Histogram>,
}

fn latency_histogram() -> Histogram {
	Histogram::new([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])
}

impl Default for Metrics {
	fn default() -> Self {
		let mut registry = Registry::with_prefix("healthchain_indexer");
		let blocks = Counter::default();
		let facts = Counter::default();
		let indexed = Gauge::default();
		let finalized = Gauge::default();
		let errors = Counter::default();
		let write_seconds = latency_histogram();
		let requests = Family::<Labels, Counter>::default();
		let request_seconds = Family::<Labels, Histogram>::new_with_constructor(
			latency_histogram as fn() -> Histogram,
		);
		registry.register("blocks", "Blocks written (each in one transaction)", blocks.clone());
		registry.register(
			"facts",
			"Facts written (accesses, consent events, records, claims, providers, validators)",
			facts.clone(),
		);
		registry.register("indexed_block", "The last block written", indexed.clone());
		registry.register("finalized_block", "The node's finalized block", finalized.clone());
		registry.register(
			"follower_errors",
			"Times following stopped on an error (node lost, decoding) and was retried",
			errors.clone(),
		);
		registry.register(
			"block_write_seconds",
			"Time to write one block's facts (one transaction)",
			write_seconds.clone(),
		);
		registry.register("requests", "Query API requests by route and status", requests.clone());
		registry.register("request_seconds", "Query API latency by route", request_seconds.clone());
		Self {
			registry,
			blocks,
			facts,
			indexed,
			finalized,
			errors,
			write_seconds,
			requests,
			request_seconds,
		}
	}
}

impl Metrics {
	/// The metrics as OpenMetrics text.
	pub fn render(&self) -> String {
		let mut out = String::new();
		if encode(&mut out, &self.registry).is_err() {
			return String::new();
		}
		out
	}
}
