//! The exchange benchmark (ignored by `cargo test`; `scripts/bench/run --only exchange` runs
//! it, `scripts/test` a smoke-sized run). On one dev node and one gateway (hospital A, SQLite
//! or PostgreSQL), side by side in one run:
//!
//! 1. reads of the same resources through the internal API (no signature, no consent check,
//!    nothing audited: enforcement off) and through the exchange API as another organisation
//!    (signature, nonce, consent on finalized state, AuditEvent + disclosure committed before
//!    the response): reads/s and p50/p99, and the ratio;
//! 2. the disclosures those releases queued, recorded on chain (`consent.recordDisclosures`)
//!    until finalized: disclosures/s;
//! 3. revocation: a reader hammers the exchange while the patient revokes; revoke submitted
//!    -> first denied read, and revoke finalized (seen by this client) -> first denied read.
//!
//! Sizes from the environment: HC_BENCH_RESOURCES (50), HC_BENCH_READS (2000),
//! HC_BENCH_CONCURRENCY (16), HC_BENCH_REVOKES (10), HC_BENCH_DB (sqlite|postgres),
//! HC_BENCH_JSON (write the results there). Numbers are printed, never asserted.

mod common;

use std::{
	sync::Arc,
	time::{Duration, Instant},
};

use common::*;
use healthchain_chain::{
	healthchain::{
		self,
		runtime_types::healthchain_primitives::sets::{Purposes, Scopes},
	},
	AccountId32, Chain, Signer, Submitter,
};
use healthchain_gateway::signature::RequestSigner;
use serde_json::{json, Value};

fn env_usize(k: &str, d: usize) -> usize {
	std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(d)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
	if sorted.is_empty() {
		return f64::NAN;
	}
	let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
	sorted[i.min(sorted.len() - 1)]
}

/// Prepared requests: path and headers.
type Requests = Arc<Vec<(String, Vec<(&'static str, String)>)>>;

struct Phase {
	name: &'static str,
	per_sec: f64,
	p50_ms: f64,
	p99_ms: f64,
	ok: usize,
}

/// `n` requests, `concurrency` at a time; each `make(i)` gives the path and headers.
async fn run_reads(
	name: &'static str,
	base: &str,
	n: usize,
	concurrency: usize,
	requests: Requests,
) -> Phase {
	let client = reqwest::Client::new();
	let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
	let start = Instant::now();
	let mut tasks = Vec::new();
	for _ in 0..concurrency {
		let (client, next, requests, base) =
			(client.clone(), next.clone(), requests.clone(), base.to_string());
		tasks.push(tokio::spawn(async move {
			let mut lat = Vec::new();
			let mut ok = 0;
			loop {
				let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
				if i >= n {
					break;
				}
				let (path, headers) = &requests[i];
				let mut req = client.get(format!("{base}{path}"));
				for (k, v) in headers {
					req = req.header(*k, v);
				}
				let t = Instant::now();
				let resp = req.send().await.expect("request");
				let status = resp.status();
				let _ = resp.bytes().await;
				lat.push(t.elapsed().as_secs_f64() * 1000.0);
				if status.is_success() {
					ok += 1;
				}
			}
			(lat, ok)
		}));
	}
	let mut all = Vec::new();
	let mut ok = 0;
	for t in tasks {
		let (l, o) = t.await.expect("reader");
		all.extend(l);
		ok += o;
	}
	let elapsed = start.elapsed().as_secs_f64();
	all.sort_by(|a, b| a.total_cmp(b));
	Phase { name, per_sec: n as f64 / elapsed, p50_ms: pct(&all, 0.5), p99_ms: pct(&all, 0.99), ok }
}

async fn finalized(
	chain: &Chain,
	suri: &str,
	payload: &impl healthchain_chain::subxt::tx::Payload,
) -> (Instant, Instant, u64) {
	let submitter = Submitter::new(Signer::from_suri(suri, None).expect("signer"));
	let submitted = Instant::now();
	let progress = submitter.submit(chain, payload, || unreachable!()).await.expect("submit");
	let (block, _) = healthchain_chain::wait_in_block(progress, Duration::from_secs(60))
		.await
		.expect("in block");
	let n = chain.block_number(block).await.expect("n");
	while chain.finalized_head().await.expect("head").0 < n {
		tokio::time::sleep(Duration::from_millis(20)).await;
	}
	(submitted, Instant::now(), n)
}

async fn wait_exchange_at(http: &Http, n: u64) {
	loop {
		let h = http.get("/health").await.body;
		if h["exchange"]["finalizedBlock"].as_u64().is_some_and(|b| b >= n) {
			return;
		}
		tokio::time::sleep(Duration::from_millis(20)).await;
	}
}

#[tokio::test]
#[ignore = "a benchmark: scripts/bench/run --only exchange"]
async fn exchange_benchmark() {
	let resources = env_usize("HC_BENCH_RESOURCES", 50);
	let reads = env_usize("HC_BENCH_READS", 2000);
	let concurrency = env_usize("HC_BENCH_CONCURRENCY", 16);
	let revokes = env_usize("HC_BENCH_REVOKES", 10);
	let db = match std::env::var("HC_BENCH_DB").as_deref() {
		Ok("postgres") => Db::Postgres,
		_ => Db::Sqlite,
	};
	let node_port = free_port();
	let _node = start_node(node_port);
	let url = database_url(db, "exchange-bench").await;
	let a = start_gateway(&url, node_port, &[("RUST_LOG", "warn")]);
	let http = Http::new(&a.base);
	let chain = Chain::connect(&format!("ws://127.0.0.1:{node_port}")).await.expect("connect");
	let alice = Signer::from_suri("//Alice", None).expect("alice").organisation();
	let bob: AccountId32 = Signer::from_suri("//Bob", None).expect("bob").organisation();
	let patient = Signer::from_suri("//Ferdie", None).expect("ferdie").organisation();
	let bob_signs =
		RequestSigner::new(&Signer::from_suri("//Bob", None).expect("bob"), &chain.genesis_hash());

	// Setup: the patient's resources, finalized; a grant to the clinic.
	let p = http.post("/fhir/Patient", &patient_json(&patient.to_string())).await;
	let pid = p.body["id"].as_str().expect("id").to_string();
	let mut ids = Vec::new();
	for i in 0..resources {
		let o = http.post("/fhir/Observation", &lab_observation(&pid, 90.0 + i as f64)).await;
		assert_eq!(o.status, 201, "{}", o.body);
		ids.push(o.body["id"].as_str().expect("id").to_string());
	}
	for id in &ids {
		http.wait_finalized(&format!("/fhir/Observation/{id}"), 1, Duration::from_secs(300)).await;
	}
	let grant =
		healthchain::tx().consent().grant(bob, Scopes(1 << 1), Purposes(1 << 0), None, None);
	let (_, _, n) = finalized(&chain, "//Ferdie", &grant).await;
	wait_exchange_at(&http, n).await;

	// 1. Reads, enforcement off then on (the same resources, the same concurrency).
	let plain: Vec<_> = (0..reads)
		.map(|i| (format!("/fhir/Observation/{}", ids[i % ids.len()]), Vec::new()))
		.collect();
	let signed: Vec<_> = (0..reads)
		.map(|i| {
			let path = format!("/exchange/fhir/Observation/{}", ids[i % ids.len()]);
			let h = bob_signs.headers("GET", &path, None, b"", &alice, "treatment");
			(path, h)
		})
		.collect();
	let off =
		run_reads("internal read (enforcement off)", &a.base, reads, concurrency, Arc::new(plain))
			.await;
	let released_from = Instant::now();
	let on = run_reads(
		"exchange read (consent-checked, audited)",
		&a.base,
		reads,
		concurrency,
		Arc::new(signed),
	)
	.await;
	assert_eq!(on.ok, reads, "every checked read released");

	// 2. Disclosures to finality.
	loop {
		let h = http.get("/health").await.body;
		let d = &h["exchange"]["disclosures"];
		if d["finalized"].as_u64().unwrap_or(0) as usize >= reads {
			break;
		}
		assert_eq!(d["failed"].as_u64(), Some(0), "{h}");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	let disclosures_per_sec = reads as f64 / released_from.elapsed().as_secs_f64();

	// 3. Revoke -> deny.
	let (mut from_submit, mut from_final) = (Vec::new(), Vec::new());
	let path = format!("/exchange/fhir/Observation/{}", ids[0]);
	for round in 0..revokes {
		if round > 0 {
			let (_, _, n) = finalized(&chain, "//Ferdie", &grant).await;
			wait_exchange_at(&http, n).await;
		}
		let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
		let (base, path2, signer, stop2, alice2) =
			(a.base.clone(), path.clone(), bob_signs.clone(), stop.clone(), alice);
		let reader = tokio::spawn(async move {
			let client = reqwest::Client::new();
			while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
				let mut req = client.get(format!("{base}{path2}"));
				for (k, v) in signer.headers("GET", &path2, None, b"", &alice2, "treatment") {
					req = req.header(k, v);
				}
				let resp = req.send().await.expect("read");
				if resp.status().as_u16() == 403 {
					return Instant::now();
				}
				let _ = resp.bytes().await;
				tokio::time::sleep(Duration::from_millis(5)).await;
			}
			Instant::now()
		});
		let revoke = healthchain::tx().consent().revoke(bob);
		let (submitted, final_seen, _) = finalized(&chain, "//Ferdie", &revoke).await;
		let denied = tokio::time::timeout(Duration::from_secs(60), reader)
			.await
			.expect("denied in time")
			.expect("reader");
		stop.store(true, std::sync::atomic::Ordering::Relaxed);
		from_submit.push(denied.duration_since(submitted).as_secs_f64() * 1000.0);
		from_final.push(
			denied.saturating_duration_since(final_seen).as_secs_f64() * 1000.0
				- final_seen.saturating_duration_since(denied).as_secs_f64() * 1000.0,
		);
	}
	from_submit.sort_by(|a, b| a.total_cmp(b));
	from_final.sort_by(|a, b| a.total_cmp(b));

	let db_name = if db == Db::Postgres { "PostgreSQL" } else { "SQLite" };
	println!("\nexchange benchmark ({db_name}; {resources} resources, {reads} reads x {concurrency} in flight, {revokes} revocations)\n");
	println!("| reads | reads/s | p50 ms | p99 ms |");
	println!("|---|---|---|---|");
	for p in [&off, &on] {
		println!("| {} | {:.0} | {:.2} | {:.2} |", p.name, p.per_sec, p.p50_ms, p.p99_ms);
	}
	println!(
		"\nchecked/off: throughput {:.2}x, p50 {:.2}x; disclosures recorded and finalized: {:.1}/s",
		on.per_sec / off.per_sec,
		on.p50_ms / off.p50_ms,
		disclosures_per_sec
	);
	println!(
		"revoke submitted -> first denied read: p50 {:.0} ms, p99 {:.0} ms; revoke finalized (seen by the client) -> first denied read: p50 {:.0} ms, p99 {:.0} ms",
		pct(&from_submit, 0.5),
		pct(&from_submit, 0.99),
		pct(&from_final, 0.5),
		pct(&from_final, 0.99)
	);
	if let Ok(path) = std::env::var("HC_BENCH_JSON") {
		let out: Value = json!({
			"database": db_name, "resources": resources, "reads": reads, "concurrency": concurrency,
			"off": {"perSec": off.per_sec, "p50Ms": off.p50_ms, "p99Ms": off.p99_ms},
			"checked": {"perSec": on.per_sec, "p50Ms": on.p50_ms, "p99Ms": on.p99_ms},
			"disclosuresPerSec": disclosures_per_sec,
			"revokeSubmittedToDeniedMs": from_submit, "revokeFinalizedToDeniedMs": from_final,
		});
		std::fs::write(path, out.to_string()).expect("write json");
	}
}

fn patient_json(account: &str) -> Value {
	patient(account)
}
