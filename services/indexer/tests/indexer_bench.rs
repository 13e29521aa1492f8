//! The indexer benchmark (ignored by `cargo test`; `scripts/bench/run --only indexer` runs
//! it, `scripts/bench/run --smoke` a small one). On one dev node, in one run:
//!
//! 1. the chain is filled with HC_BENCH_ACCESSES (1,000,000) access events: Alice (hospital)
//!    logs accesses to HC_BENCH_PATIENTS (100) patients' records in `consent.logAccessBatch`
//!    extrinsics of 512, as fast as the chain takes them, while indexer A (SQLite) follows
//!    live: its **lag behind finality while the chain is saturated** is sampled every 500 ms;
//! 2. **backfill**: a fresh indexer from genesis to the last filled block, on SQLite and (when
//!    HC_TEST_POSTGRES_URL is set) on PostgreSQL: blocks/s and events/s;
//! 3. **query latency** over that data set, per database: HC_BENCH_QUERIES (500) signed
//!    `GET /patients/{p}/accesses?limit=100` for random patients (signature made before the
//!    clock starts), p50/p99, side by side with the same query as raw SQL through the store
//!    (p50/p99), and the ratio of the medians (the API's overhead: HTTP, signature check,
//!    entitlement, JSON).
//!
//! Numbers are printed, never asserted.

use std::{
	sync::Arc,
	time::{Duration, Instant},
};

use futures::{stream::FuturesUnordered, StreamExt};
use healthchain_chain::{
	healthchain::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			healthchain_primitives::sets::{Purposes, Scopes},
			pallet_consent::types::AccessEntry,
		},
	},
	subxt::utils::MultiAddress,
	AccountId32, Chain, Purpose, RecordKind, Scope, Signer, Submitter, H256,
};
use healthchain_httpsig::RequestSigner;
use healthchain_indexer::store::Store;
use healthchain_testkit::{
	database_url_named, free_port, start_node, temp_dir, wait_until, Db, Proc,
};
use serde_json::Value;

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

fn account_of(suri: &str) -> AccountId32 {
	Signer::from_suri(suri, None).expect("signer").organisation()
}

fn start_indexer(database_url: &str, chain_port: u16) -> (Proc, String) {
	let port = free_port();
	let log = std::fs::File::create(temp_dir("idx-bench").join("indexer.log")).expect("log");
	let child = std::process::Command::new(env!("CARGO_BIN_EXE_healthchain-indexer"))
		.env("HC_INDEXER_LISTEN", format!("127.0.0.1:{port}"))
		.env("HC_INDEXER_DATABASE_URL", database_url)
		.env("HC_INDEXER_CHAIN_URL", format!("ws://127.0.0.1:{chain_port}"))
		.env("HC_INDEXER_AUDIENCE", account_of("//Alice").to_string())
		.env("HC_INDEXER_AUDITORS", account_of("//Auditor").to_string())
		.env("HC_INDEXER_POLL_MS", "100")
		.stdout(std::process::Stdio::null())
		.stderr(log)
		.spawn()
		.expect("start the indexer");
	wait_until(Duration::from_secs(30), "the indexer", || {
		std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
	});
	(Proc(child), format!("http://127.0.0.1:{port}"))
}

async fn last_indexed(http: &reqwest::Client, base: &str) -> Option<(u64, u64)> {
	let h: Value = http.get(format!("{base}/health")).send().await.ok()?.json().await.ok()?;
	Some((h["chain"]["lastIndexed"].as_u64()?, h["chain"]["finalized"].as_u64()?))
}

/// Wait until a transaction is in a block; its hash. (Only the status: fetching the events
/// of blocks holding ~14,000 events for each of ~100 waiting transactions costs gigabytes in
/// the client. A failed batch shows as missing accesses in the indexed count.)
async fn included(mut progress: healthchain_chain::Progress) -> Option<H256> {
	use healthchain_chain::subxt::tx::TransactionStatus;
	while let Some(status) = progress.next().await {
		match status.ok()? {
			TransactionStatus::InBestBlock(b) | TransactionStatus::InFinalizedBlock(b) => {
				return Some(b.block_hash())
			}
			TransactionStatus::Error { message }
			| TransactionStatus::Invalid { message }
			| TransactionStatus::Dropped { message } => {
				eprintln!("(a transaction was refused: {message})");
				return None;
			}
			_ => {}
		}
	}
	None
}

/// Submit `calls` signed by one submitter, at most `window` waiting for a block at once;
/// returns the last block number.
async fn submit_all<P: healthchain_chain::subxt::tx::Payload + Send + Sync + 'static>(
	chain: &Chain,
	submitter: &Arc<Submitter>,
	calls: Vec<P>,
	window: usize,
) -> u64 {
	let mut waiting = FuturesUnordered::new();
	let mut last = 0u64;
	async fn block_of(chain: &Chain, hash: Option<H256>) -> u64 {
		match hash {
			Some(h) => match chain.block_number(h).await {
				Ok(n) => n,
				Err(_) => chain.best_head().await.expect("best").0,
			},
			None => chain.best_head().await.expect("best").0,
		}
	}
	for call in calls {
		if waiting.len() >= window {
			if let Some(h) = waiting.next().await {
				let h: Result<Option<H256>, tokio::time::error::Elapsed> = h;
				last = last.max(block_of(chain, h.ok().flatten()).await);
			}
		}
		// The node sometimes reports a best block whose header it cannot serve yet: retry.
		let mut tries = 0;
		let progress = loop {
			match submitter.submit(chain, &call, || unreachable!("not a proxy")).await {
				Ok(p) => break p,
				Err(e) if tries < 20 => {
					tries += 1;
					eprintln!("(submission retried: {e})");
					tokio::time::sleep(Duration::from_millis(250)).await;
				}
				Err(e) => panic!("submit: {e}"),
			}
		};
		waiting.push(tokio::time::timeout(Duration::from_secs(300), included(progress)));
	}
	while let Some(h) = waiting.next().await {
		last = last.max(block_of(chain, h.ok().flatten()).await);
	}
	last
}

async fn wait_finalized(chain: &Chain, n: u64) {
	while chain.finalized_head().await.expect("head").0 < n {
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a benchmark: scripts/bench/run --only indexer"]
async fn indexer_benchmark() {
	let accesses = env_usize("HC_BENCH_ACCESSES", 1_000_000);
	let patients = env_usize("HC_BENCH_PATIENTS", 100);
	let queries = env_usize("HC_BENCH_QUERIES", 500);
	let rpc = free_port();
	let _node = start_node(rpc);
	let chain = Chain::connect(&format!("ws://127.0.0.1:{rpc}")).await.expect("connect");
	let genesis = chain.genesis_hash();
	let http = reqwest::Client::new();
	let alice = account_of("//Alice");
	let alice_tx = Submitter::new(Signer::from_suri("//Alice", None).expect("alice"));
	let tx = healthchain::tx;

	// Setup: fund the patients, each grants Alice labs/treatment, Alice anchors a record each.
	let setup = Instant::now();
	let pats: Vec<String> = (0..patients).map(|i| format!("//Patient{i}")).collect();
	let accounts: Vec<AccountId32> = pats.iter().map(|s| account_of(s)).collect();
	let funds = accounts
		.iter()
		.map(|a| tx().balances().transfer_keep_alive(MultiAddress::Id(*a), 10_000_000_000_000))
		.collect();
	let funded = submit_all(&chain, &alice_tx, funds, 64).await;
	wait_finalized(&chain, funded).await;
	let mut grants = FuturesUnordered::new();
	for suri in &pats {
		let chain = chain.clone();
		let suri = suri.clone();
		grants.push(tokio::spawn(async move {
			let s = Submitter::new(Signer::from_suri(&suri, None).expect("patient"));
			let call = healthchain::tx().consent().grant(
				account_of("//Alice"),
				Scopes(1 << 1),
				Purposes(1 << 0),
				None,
				None,
			);
			submit_all(&chain, &s, vec![call], 1).await
		}));
	}
	let mut last = 0;
	while let Some(r) = grants.next().await {
		last = last.max(r.expect("grant task"));
	}
	let anchors = accounts
		.iter()
		.enumerate()
		.map(|(i, a)| {
			let mut local = [0u8; 32];
			local[..8].copy_from_slice(&(i as u64).to_le_bytes());
			tx().records().anchor(H256(local), *a, H256([7; 32]), RecordKind(1), Scope::Labs)
		})
		.collect();
	last = last.max(submit_all(&chain, &alice_tx, anchors, 64).await);
	wait_finalized(&chain, last).await;
	let records: Vec<H256> = (0..patients)
		.map(|i| {
			let mut local = [0u8; 32];
			local[..8].copy_from_slice(&(i as u64).to_le_bytes());
			healthchain_chain::record_id_of(&alice, &local)
		})
		.collect();
	println!(
		"setup: {patients} patients funded, granted, a record each, in {:.1} s",
		setup.elapsed().as_secs_f64()
	);

	// 1. Fill, with indexer A following live.
	let url_live = database_url_named(Db::Sqlite, "idx-bench-live", "idx_live").await;
	let (_live, live_base) = start_indexer(&url_live, rpc);
	let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
	let sampler = {
		let (http, base, on) = (http.clone(), live_base.clone(), sampling.clone());
		tokio::spawn(async move {
			let mut lags = vec![];
			while on.load(std::sync::atomic::Ordering::Relaxed) {
				if let Some((i, f)) = last_indexed(&http, &base).await {
					lags.push(f.saturating_sub(i) as f64);
				}
				tokio::time::sleep(Duration::from_millis(500)).await;
			}
			lags
		})
	};
	let batches = accesses.div_ceil(512);
	let calls: Vec<_> = (0..batches)
		.map(|b| {
			let n = 512.min(accesses - b * 512);
			let entries = (0..n)
				.map(|j| {
					let k = (b * 512 + j) % patients;
					AccessEntry {
						patient: accounts[k],
						record_id: records[k],
						purpose: Purpose::Treatment,
					}
				})
				.collect();
			tx().consent().log_access_batch(BoundedVec(entries))
		})
		.collect();
	let (_, first_fill) = chain.best_head().await.expect("head");
	let first_fill = chain.block_number(first_fill).await.expect("n");
	let fill = Instant::now();
	let filled = submit_all(&chain, &alice_tx, calls, 96).await;
	let fill_s = fill.elapsed().as_secs_f64();
	wait_finalized(&chain, filled).await;
	println!(
		"fill: {accesses} access events in {batches} logAccessBatch, blocks {first_fill}..{filled}, {fill_s:.1} s ({:.0} accesses/s on chain)",
		accesses as f64 / fill_s
	);
	// Let the live indexer catch up, then stop sampling.
	let caught = Instant::now();
	while last_indexed(&http, &live_base).await.map(|(i, _)| i).unwrap_or(0) < filled {
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	let catch_up_s = caught.elapsed().as_secs_f64();
	sampling.store(false, std::sync::atomic::Ordering::Relaxed);
	let mut lags = sampler.await.expect("sampler");
	lags.sort_by(f64::total_cmp);
	println!(
		"live lag behind finality while saturated: p50 {} blocks, max {} blocks ({} samples); caught up {:.1} s after the last block was finalized",
		pct(&lags, 0.5),
		lags.last().copied().unwrap_or(0.0),
		lags.len(),
		catch_up_s
	);

	// 2 + 3, per database.
	let mut dbs = vec![Db::Sqlite];
	if std::env::var("HC_TEST_POSTGRES_URL").is_ok() {
		dbs.push(Db::Postgres);
	}
	let signer =
		RequestSigner::new(&Signer::from_suri("//Auditor", None).expect("auditor"), &genesis);
	let prefix = chain.ss58_prefix();
	let mut rows = vec![];
	for db in dbs {
		let url =
			database_url_named(db, &format!("idx-bench-{db:?}").to_lowercase(), "idx_bench").await;
		let started = Instant::now();
		let (_proc, base) = start_indexer(&url, rpc);
		while last_indexed(&http, &base).await.map(|(i, _)| i).unwrap_or(0) < filled {
			tokio::time::sleep(Duration::from_millis(100)).await;
		}
		let backfill_s = started.elapsed().as_secs_f64();
		let store = Store::open(&url, prefix).await.expect("store");
		let events = store.event_total().await.expect("events");
		let indexed_accesses = store
			.counts()
			.await
			.expect("counts")
			.into_iter()
			.find(|(t, _)| t == "accesses")
			.map(|(_, n)| n)
			.unwrap_or(0);
		println!("{db:?}: {indexed_accesses} access events indexed (of {accesses} logged)");
		let blocks = filled + 1;
		println!(
			"{db:?} backfill: {blocks} blocks, {events} events in {backfill_s:.1} s: {:.1} blocks/s, {:.0} events/s",
			blocks as f64 / backfill_s,
			events as f64 / backfill_s
		);
		let mut api = vec![];
		let mut raw = vec![];
		let mut seed = 0x9e37_79b9_7f4a_7c15u64;
		for _ in 0..queries {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			let p = &accounts[(seed % patients as u64) as usize];
			let path = format!("/patients/{}/accesses", healthchain_chain::ss58(p, prefix));
			let headers = signer.headers("GET", &path, Some("limit=100"), b"", &alice, "audit");
			let mut req = http.get(format!("{base}{path}?limit=100"));
			for (k, v) in headers {
				req = req.header(k, v);
			}
			let t = Instant::now();
			let r = req.send().await.expect("query");
			assert_eq!(r.status().as_u16(), 200);
			let body: Value = r.json().await.expect("json");
			api.push(t.elapsed().as_secs_f64() * 1000.0);
			assert_eq!(body["items"].as_array().map(Vec::len), Some(100));
			let t = Instant::now();
			let n = store.raw_accesses_of(&p.0, 100).await.expect("raw");
			raw.push(t.elapsed().as_secs_f64() * 1000.0);
			assert_eq!(n, 100);
		}
		api.sort_by(f64::total_cmp);
		raw.sort_by(f64::total_cmp);
		println!(
			"{db:?} patient-access query (limit 100, {queries}x): API p50 {:.2} ms p99 {:.2} ms; raw SQL p50 {:.2} ms p99 {:.2} ms; API/raw {:.1}x",
			pct(&api, 0.5),
			pct(&api, 0.99),
			pct(&raw, 0.5),
			pct(&raw, 0.99),
			pct(&api, 0.5) / pct(&raw, 0.5)
		);
		rows.push(format!(
			"| {db:?} | {blocks} | {events} | {backfill_s:.1} | {:.1} | {:.0} | {:.2} / {:.2} | {:.2} / {:.2} | {:.1}x |",
			blocks as f64 / backfill_s,
			events as f64 / backfill_s,
			pct(&api, 0.5),
			pct(&api, 0.99),
			pct(&raw, 0.5),
			pct(&raw, 0.99),
			pct(&api, 0.5) / pct(&raw, 0.5)
		));
		store.close().await;
	}
	println!("\n| database | blocks | events | backfill s | blocks/s | events/s | API p50 / p99 ms | raw SQL p50 / p99 ms | API/raw p50 |");
	println!("|---|---|---|---|---|---|---|---|---|");
	for r in rows {
		println!("{r}");
	}
}
