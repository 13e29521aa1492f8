//! The indexer against a dev node: accesses (logged, disclosed, under break-glass), consents
//! (by the patient and by a guardian), break-glass, records, claims and a provider
//! registration made through the chain client are all returned by the query API with the
//! block they happened in and their basis; patient views are served only to signed,
//! entitled requests; exports stream; and an indexer killed mid-way and restarted ends with
//! exactly the rows of an uninterrupted run. On SQLite and on PostgreSQL.

use std::{
	process::{Command, Stdio},
	time::{Duration, Instant},
};

use healthchain_chain::{
	healthchain::{
		self,
		runtime_types::{
			bounded_collections::bounded_vec::BoundedVec,
			healthchain_primitives::sets::{Purposes, Roles, Scopes},
			pallet_claims::types::Decision,
			pallet_consent::types::BreakGlassReason,
		},
	},
	AccountId32, Chain, DisclosureEntry, Purpose, RecordKind, Scope, Signer, H256,
};
use healthchain_httpsig::RequestSigner;
use healthchain_indexer::store::{Dataset, Store};
use healthchain_testkit::{
	account_of, database_url_named, free_port, start_node, submit_finalized, temp_dir, wait_until,
	Db, Proc,
};
use serde_json::Value;

const FINALITY: Duration = Duration::from_secs(120);

struct Indexer {
	proc: Proc,
	base: String,
}

fn start_indexer(database_url: &str, chain_port: u16, extra: &[(&str, &str)]) -> Indexer {
	let port = free_port();
	let log = std::fs::OpenOptions::new()
		.create(true)
		.append(true)
		.open(temp_dir("idx").join("indexer.log"))
		.expect("log");
	let mut cmd = Command::new(env!("CARGO_BIN_EXE_healthchain-indexer"));
	cmd.env("HC_INDEXER_LISTEN", format!("127.0.0.1:{port}"))
		.env("HC_INDEXER_DATABASE_URL", database_url)
		.env("HC_INDEXER_CHAIN_URL", format!("ws://127.0.0.1:{chain_port}"))
		.env("HC_INDEXER_AUDIENCE", account_of("//Alice").to_string())
		.env("HC_INDEXER_AUDITORS", account_of("//Auditor").to_string())
		.env("HC_INDEXER_POLL_MS", "100")
		.env("RUST_LOG", "info,healthchain_indexer=debug")
		.stdout(Stdio::null())
		.stderr(log);
	for (k, v) in extra {
		cmd.env(k, v);
	}
	let proc = Proc(cmd.spawn().expect("start the indexer"));
	wait_until(Duration::from_secs(30), "the indexer's port", || {
		std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
	});
	Indexer { proc, base: format!("http://127.0.0.1:{port}") }
}

async fn health(base: &str) -> Value {
	reqwest::get(format!("{base}/health")).await.expect("health").json().await.expect("health json")
}

async fn last_indexed(base: &str) -> u64 {
	health(base).await["chain"]["lastIndexed"].as_u64().unwrap_or(0)
}

async fn wait_indexed(base: &str, block: u64) {
	let start = Instant::now();
	while last_indexed(base).await < block {
		assert!(start.elapsed() < FINALITY, "block {block} not indexed: {}", health(base).await);
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

/// A GET signed by `suri` (or unsigned); (status, body as JSON or text).
async fn get(base: &str, suri: Option<&str>, genesis: &H256, path_and_query: &str) -> (u16, Value) {
	let (path, query) = match path_and_query.split_once('?') {
		Some((p, q)) => (p, Some(q)),
		None => (path_and_query, None),
	};
	let mut req = reqwest::Client::new().get(format!("{base}{path_and_query}"));
	if let Some(suri) = suri {
		let signer = RequestSigner::new(&Signer::from_suri(suri, None).expect("signer"), genesis);
		for (k, v) in signer.headers("GET", path, query, b"", &account_of("//Alice"), "audit") {
			req = req.header(k, v);
		}
	}
	let r = req.send().await.expect("request");
	let status = r.status().as_u16();
	let text = r.text().await.expect("body");
	(status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn items(v: &Value) -> Vec<Value> {
	v["items"].as_array().cloned().unwrap_or_default()
}

async fn audit_trail(db: Db) {
	let tag = format!("{db:?}").to_lowercase();
	let rpc = free_port();
	let _node = start_node(rpc);
	let chain = Chain::connect(&format!("ws://127.0.0.1:{rpc}")).await.expect("connect");
	let genesis = chain.genesis_hash();
	let url_a = database_url_named(db, &format!("idx-a-{tag}"), "idx_a").await;
	let a = start_indexer(&url_a, rpc, &[]);

	let (alice, bob, charlie, dave, eve, ferdie) = (
		account_of("//Alice"),
		account_of("//Bob"),
		account_of("//Charlie"),
		account_of("//Dave"),
		account_of("//Eve"),
		account_of("//Ferdie"),
	);
	let ss58 = |a: &AccountId32| healthchain_chain::ss58(a, chain.ss58_prefix());
	let tx = healthchain::tx;

	// Records: Alice (hospital) anchors a lab result of Ferdie and one of Eve.
	let local = |n: u8| H256([n; 32]);
	let anchored = submit_finalized(
		&chain,
		"//Alice",
		&tx().records().anchor(local(1), ferdie, H256([11; 32]), RecordKind(1), Scope::Labs),
	)
	.await;
	let ferdie_record = healthchain_chain::record_id_of(&alice, &local(1).0);
	submit_finalized(
		&chain,
		"//Alice",
		&tx().records().anchor(local(2), eve, H256([12; 32]), RecordKind(1), Scope::Labs),
	)
	.await;
	let eve_record = healthchain_chain::record_id_of(&alice, &local(2).0);
	let amended =
		submit_finalized(&chain, "//Alice", &tx().records().amend(ferdie_record, H256([13; 32])))
			.await;

	// Consents: Ferdie grants Alice labs for treatment; adds Dave as guardian; Dave grants
	// Bob for Ferdie; Ferdie grants Charlie (insurer) billing for payment.
	let labs_treatment = (Scopes(1 << 1), Purposes(1 << 0));
	let granted = submit_finalized(
		&chain,
		"//Ferdie",
		&tx().consent().grant(
			alice,
			labs_treatment.0.clone(),
			labs_treatment.1.clone(),
			None,
			None,
		),
	)
	.await;
	let guardian = submit_finalized(&chain, "//Ferdie", &tx().consent().add_guardian(dave)).await;
	let by_guardian = submit_finalized(
		&chain,
		"//Dave",
		&tx().consent().grant_for(ferdie, bob, labs_treatment.0, labs_treatment.1, None, None),
	)
	.await;
	submit_finalized(
		&chain,
		"//Ferdie",
		&tx().consent().grant(charlie, Scopes(1 << 6), Purposes(1 << 1), None, None),
	)
	.await;

	// Accesses: Alice logs hers (consent); Alice discloses to Bob (consent by the guardian's
	// grant); Alice breaks the glass on Eve and logs an access under it; Eve closes it.
	let logged = submit_finalized(
		&chain,
		"//Alice",
		&tx().consent().log_access(ferdie, ferdie_record, Purpose::Treatment),
	)
	.await;
	let disclosed = submit_finalized(
		&chain,
		"//Alice",
		&tx().consent().record_disclosures(BoundedVec(vec![DisclosureEntry {
			recipient: bob,
			patient: ferdie,
			record_id: ferdie_record,
			purpose: Purpose::Treatment,
			checked_at: by_guardian as u32,
		}])),
	)
	.await;
	let opened = submit_finalized(
		&chain,
		"//Alice",
		&tx().consent().break_glass(eve, BreakGlassReason::LifeThreatening),
	)
	.await;
	let emergency = submit_finalized(
		&chain,
		"//Alice",
		&tx().consent().log_access(eve, eve_record, Purpose::Treatment),
	)
	.await;
	let closed =
		submit_finalized(&chain, "//Eve", &tx().consent().close_break_glass(eve, alice)).await;

	// Claims: Alice claims from Charlie for Ferdie's record; Charlie approves; settled.
	let submitted = submit_finalized(
		&chain,
		"//Alice",
		&tx().claims().submit(
			charlie,
			ferdie,
			H256([21; 32]),
			1_500_000_000_000,
			BoundedVec(vec![ferdie_record]),
		),
	)
	.await;
	submit_finalized(&chain, "//Charlie", &tx().claims().adjudicate(0, Decision::Approve)).await;
	let settled = submit_finalized(&chain, "//Alice", &tx().claims().settle(0)).await;

	// Ferdie revokes Alice; Dave applies to be a clinic.
	let revoked = submit_finalized(&chain, "//Ferdie", &tx().consent().revoke(alice)).await;
	let registered = submit_finalized(
		&chain,
		"//Dave",
		&tx().providers().register(Roles(1 << 1), H256([31; 32]), 10_000_000),
	)
	.await;
	wait_indexed(&a.base, registered).await;

	let fp = ss58(&ferdie);
	let q = |path: String| path;

	// Patient views: unsigned 401, a stranger 403, the patient, the guardian and the auditor 200.
	let accesses = q(format!("/patients/{fp}/accesses"));
	let (s, body) = get(&a.base, None, &genesis, &accesses).await;
	assert_eq!(s, 401, "{body}");
	assert!(body["message"].as_str().unwrap_or("").contains("not signed"), "{body}");
	let (s, body) = get(&a.base, Some("//Bob"), &genesis, &accesses).await;
	assert_eq!(s, 403, "{body}");
	assert!(body["message"]
		.as_str()
		.unwrap_or("")
		.contains("the patient or the patient's guardian"));
	for who in ["//Ferdie", "//Dave", "//Auditor"] {
		let (s, body) = get(&a.base, Some(who), &genesis, &accesses).await;
		assert_eq!(s, 200, "{who}: {body}");
	}

	// Ferdie's accesses: Alice's logged access and the disclosure to Bob, at their blocks.
	let (_, body) = get(&a.base, Some("//Ferdie"), &genesis, &accesses).await;
	let list = items(&body);
	assert_eq!(list.len(), 2, "{body}");
	assert_eq!(list[0]["kind"], "logged");
	assert_eq!(list[0]["block"].as_u64(), Some(logged));
	assert_eq!(list[0]["accessor"], ss58(&alice));
	assert_eq!(list[0]["basis"], "consent");
	assert_eq!(list[0]["scope"], "labs");
	assert_eq!(list[0]["purpose"], "treatment");
	assert_eq!(list[0]["recordId"], format!("{ferdie_record:?}"));
	assert_eq!(list[1]["kind"], "disclosed");
	assert_eq!(list[1]["block"].as_u64(), Some(disclosed));
	assert_eq!(list[1]["accessor"], ss58(&bob));
	assert_eq!(list[1]["custodian"], ss58(&alice));
	assert_eq!(list[1]["basis"], "consent");
	assert_eq!(list[1]["checkedAt"].as_u64(), Some(by_guardian));
	assert!(list[0]["time"].as_str().unwrap_or("").starts_with("20"), "{}", list[0]);

	// Filters, pages and time ranges.
	let (_, body) =
		get(&a.base, Some("//Ferdie"), &genesis, &format!("{accesses}?accessor={}", ss58(&bob)))
			.await;
	assert_eq!(items(&body).len(), 1);
	let (_, body) = get(&a.base, Some("//Ferdie"), &genesis, &format!("{accesses}?limit=1")).await;
	assert_eq!(items(&body).len(), 1);
	let next = body["next"].as_str().expect("a next page").to_string();
	let (_, body) =
		get(&a.base, Some("//Ferdie"), &genesis, &format!("{accesses}?limit=1&after={next}")).await;
	assert_eq!(items(&body)[0]["kind"], "disclosed");
	assert!(body.get("next").is_none(), "the last page: {body}");
	let (_, body) =
		get(&a.base, Some("//Ferdie"), &genesis, &format!("{accesses}?from=2999-01-01")).await;
	assert!(items(&body).is_empty(), "{body}");
	let (_, body) = get(
		&a.base,
		Some("//Ferdie"),
		&genesis,
		&format!("{accesses}?from=2000-01-01T00:00:00Z&to=2999-01-01"),
	)
	.await;
	assert_eq!(items(&body).len(), 2);
	for (bad, says) in [
		("scope=bones", "scope must be one of"),
		("basis=luck", "basis must be one of"),
		("from=yesterday", "ISO-8601"),
		("limit=0", "limit must be"),
		("after=x", "after must be"),
		("colour=red", "unknown parameter"),
	] {
		let (s, body) =
			get(&a.base, Some("//Ferdie"), &genesis, &format!("{accesses}?{bad}")).await;
		assert_eq!(s, 400, "{bad}: {body}");
		assert!(body["message"].as_str().unwrap_or("").contains(says), "{bad}: {body}");
	}

	// Eve's access under break-glass, and the window: opened, closed by Eve, review pending.
	let ep = ss58(&eve);
	let (_, body) =
		get(&a.base, Some("//Eve"), &genesis, &format!("/patients/{ep}/accesses")).await;
	let list = items(&body);
	assert_eq!(list.len(), 1, "{body}");
	assert_eq!(list[0]["basis"], "break_glass");
	assert_eq!(list[0]["block"].as_u64(), Some(emergency));
	assert_eq!(list[0]["breakGlassId"].as_u64(), Some(0));
	let (_, body) =
		get(&a.base, Some("//Eve"), &genesis, &format!("/patients/{ep}/break-glass")).await;
	let bg = items(&body);
	assert_eq!(bg.len(), 1, "{body}");
	assert_eq!(bg[0]["openedBlock"].as_u64(), Some(opened));
	assert_eq!(bg[0]["closedBlock"].as_u64(), Some(closed));
	assert_eq!(bg[0]["state"], "closed");
	assert_eq!(bg[0]["closeCause"], "patient");
	assert_eq!(bg[0]["reason"], "life_threatening");
	assert_eq!(bg[0]["review"], "pending");
	let (s, body) = get(&a.base, Some("//Auditor"), &genesis, "/break-glass?review=pending").await;
	assert_eq!((s, items(&body).len()), (200, 1), "{body}");
	let (s, _) = get(&a.base, Some("//Bob"), &genesis, "/break-glass?review=pending").await;
	assert_eq!(s, 403, "break-glass reviews are for auditors (or the provider's own)");
	let (s, body) =
		get(&a.base, Some("//Alice"), &genesis, &format!("/break-glass?provider={}", ss58(&alice)))
			.await;
	assert_eq!((s, items(&body).len()), (200, 1), "{body}");

	// Ferdie's consent history, by whom.
	let (_, body) =
		get(&a.base, Some("//Ferdie"), &genesis, &format!("/patients/{fp}/consents")).await;
	let history: Vec<(String, String, String, u64)> = items(&body)
		.iter()
		.map(|e| {
			(
				e["action"].as_str().unwrap_or("").to_string(),
				e["party"].as_str().unwrap_or("").to_string(),
				e["byRole"].as_str().unwrap_or("").to_string(),
				e["block"].as_u64().unwrap_or(0),
			)
		})
		.collect();
	assert_eq!(history.len(), 5, "{body}");
	assert_eq!(history[0], ("granted".into(), ss58(&alice), "patient".into(), granted));
	assert_eq!(history[1], ("guardian_added".into(), ss58(&dave), "patient".into(), guardian));
	assert_eq!(history[2], ("granted".into(), ss58(&bob), "guardian".into(), by_guardian));
	assert_eq!(history[3].0, "granted");
	assert_eq!(history[4], ("revoked".into(), ss58(&alice), "patient".into(), revoked));
	assert_eq!(items(&body)[0]["scopes"], serde_json::json!(["labs"]));
	assert_eq!(items(&body)[0]["purposes"], serde_json::json!(["treatment"]));
	assert_eq!(items(&body)[2]["by"], ss58(&dave));

	// Ferdie's record with both versions.
	let (_, body) =
		get(&a.base, Some("//Ferdie"), &genesis, &format!("/patients/{fp}/records")).await;
	let recs = items(&body);
	assert_eq!(recs.len(), 1, "{body}");
	assert_eq!(recs[0]["version"].as_u64(), Some(2));
	assert_eq!(recs[0]["anchoredBlock"].as_u64(), Some(anchored));
	let versions = recs[0]["versions"].as_array().cloned().unwrap_or_default();
	assert_eq!(versions.len(), 2);
	assert_eq!(versions[1]["block"].as_u64(), Some(amended));
	assert_eq!(versions[1]["digest"], format!("{:?}", H256([13; 32])));

	// The claim, for its insurer; not for a stranger.
	let claims = format!("/claims?insurer={}", ss58(&charlie));
	let (s, body) = get(&a.base, Some("//Charlie"), &genesis, &claims).await;
	assert_eq!(s, 200, "{body}");
	let c = items(&body);
	assert_eq!(c.len(), 1, "{body}");
	assert_eq!(c[0]["status"], "settled");
	assert_eq!(c[0]["amount"], "1500000000000");
	assert_eq!(c[0]["paid"], "1500000000000");
	assert_eq!(c[0]["submittedBlock"].as_u64(), Some(submitted));
	assert_eq!(c[0]["updatedBlock"].as_u64(), Some(settled));
	let (s, _) = get(&a.base, Some("//Eve"), &genesis, &claims).await;
	assert_eq!(s, 403);
	let (s, body) = get(&a.base, Some("//Ferdie"), &genesis, "/claims/0").await;
	assert_eq!(s, 200, "the claim's patient sees it: {body}");
	let steps: Vec<&str> = body["events"]
		.as_array()
		.map(|e| e.iter().filter_map(|x| x["action"].as_str()).collect())
		.unwrap_or_default();
	assert_eq!(steps, ["submitted", "approved", "settled"]);

	// Providers (public): Dave's application.
	let (s, body) = get(&a.base, None, &genesis, &format!("/providers?who={}", ss58(&dave))).await;
	assert_eq!(s, 200);
	let p = items(&body);
	assert_eq!(p.len(), 1, "{body}");
	assert_eq!(
		(p[0]["action"].as_str(), p[0]["block"].as_u64()),
		(Some("registered"), Some(registered))
	);
	assert_eq!(p[0]["roles"], serde_json::json!(["clinic"]));
	let (s, body) = get(&a.base, None, &genesis, "/validators?action=session_started").await;
	assert_eq!(s, 200, "{body}");

	// The FHIR view: a Bundle of AuditEvents naming block and extrinsic.
	let (s, body) =
		get(&a.base, Some("//Ferdie"), &genesis, &format!("/fhir/AuditEvent?patient={fp}")).await;
	assert_eq!(s, 200, "{body}");
	assert_eq!(body["resourceType"], "Bundle");
	let entries = body["entry"].as_array().cloned().unwrap_or_default();
	assert_eq!(entries.len(), 2);
	let ev = &entries[1]["resource"];
	assert_eq!(ev["resourceType"], "AuditEvent");
	assert_eq!(ev["agent"][0]["who"]["identifier"]["value"], ss58(&bob));
	assert_eq!(ev["agent"][1]["who"]["identifier"]["value"], ss58(&alice));
	assert!(ev["entity"][2]["what"]["identifier"]["value"]
		.as_str()
		.unwrap_or("")
		.starts_with(&format!("{disclosed}-")));
	let (s, body) =
		get(&a.base, Some("//Bob"), &genesis, &format!("/fhir/AuditEvent?patient={fp}")).await;
	assert_eq!(s, 403);
	assert_eq!(body["resourceType"], "OperationOutcome");

	// Exports stream every row: CSV with a header, NDJSON one object per line.
	let (s, body) = get(
		&a.base,
		Some("//Ferdie"),
		&genesis,
		&format!("/export/accesses?patient={fp}&format=csv"),
	)
	.await;
	assert_eq!(s, 200);
	let csv = body.as_str().expect("csv text").to_string();
	let lines: Vec<&str> = csv.lines().collect();
	assert_eq!(lines.len(), 3, "{csv}");
	assert!(lines[0].starts_with("block,eventIndex,extrinsicIndex,time,kind,patient"));
	assert!(lines[2].contains(",disclosed,"), "{csv}");
	let (_, body) = get(
		&a.base,
		Some("//Ferdie"),
		&genesis,
		&format!("/export/consents?patient={fp}&format=ndjson"),
	)
	.await;
	let nd = body.as_str().map(String::from).unwrap_or_else(|| body.to_string());
	assert_eq!(nd.lines().count(), 5, "{nd}");
	let (s, _) =
		get(&a.base, Some("//Bob"), &genesis, &format!("/export/accesses?patient={fp}")).await;
	assert_eq!(s, 403);

	// /health and /metrics.
	let h = health(&a.base).await;
	assert_eq!(h["database"], "ok");
	assert!(h["lagBlocks"].as_u64().is_some(), "{h}");
	let m = reqwest::get(format!("{}/metrics", a.base))
		.await
		.expect("metrics")
		.text()
		.await
		.expect("text");
	assert!(m.contains("healthchain_indexer_indexed_block"), "{m}");

	// Kill mid-way: a second indexer from genesis, SIGKILLed while catching up, restarted,
	// ends with exactly the rows of the uninterrupted one.
	let url_b = database_url_named(db, &format!("idx-b-{tag}"), "idx_b").await;
	let mut b = start_indexer(&url_b, rpc, &[("HC_INDEXER_FETCH_AHEAD", "1")]);
	let target = registered;
	let start = Instant::now();
	let mut killed_at = 0;
	while start.elapsed() < FINALITY {
		let n = last_indexed(&b.base).await;
		if n >= target / 3 {
			killed_at = n;
			let _ = b.proc.0.kill();
			let _ = b.proc.0.wait();
			break;
		}
		tokio::time::sleep(Duration::from_millis(5)).await;
	}
	assert!(killed_at > 0 && killed_at < target, "killed mid-way at {killed_at} of {target}");
	b = start_indexer(&url_b, rpc, &[]);
	wait_indexed(&b.base, target).await;
	drop(b);
	drop(a);
	let sa = Store::open(&url_a, chain.ss58_prefix()).await.expect("A's store");
	let sb = Store::open(&url_b, chain.ss58_prefix()).await.expect("B's store");
	for ds in [
		Dataset::Accesses,
		Dataset::Consents,
		Dataset::BreakGlass,
		Dataset::Records,
		Dataset::Claims,
		Dataset::ClaimEvents,
		Dataset::ProviderEvents,
		Dataset::ValidatorEvents,
		Dataset::Extrinsics,
	] {
		let upto = |rows: Vec<String>| -> Vec<String> {
			rows.into_iter()
				.filter(|r| {
					let v: Value = serde_json::from_str(r).unwrap_or_default();
					["block", "openedBlock", "anchoredBlock", "submittedBlock"]
						.iter()
						.find_map(|k| v[*k].as_u64())
						.is_none_or(|b| b <= target)
				})
				.collect()
		};
		let (ra, rb) =
			(upto(sa.dump(ds).await.expect("dump A")), upto(sb.dump(ds).await.expect("dump B")));
		assert!(!ra.is_empty() || ds == Dataset::ValidatorEvents, "{ds:?} has rows");
		assert_eq!(ra, rb, "{ds:?}: the restarted indexer's rows differ");
	}
	let blocks = |s: Store| async move {
		s.counts().await.expect("counts").into_iter().find(|(t, _)| t == "blocks").map(|(_, n)| n)
	};
	assert!(blocks(sa).await >= Some(target as i64 + 1));
	assert!(blocks(sb).await >= Some(target as i64 + 1), "no block missing after the kill");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_trail_sqlite() {
	audit_trail(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_trail_postgres() {
	audit_trail(Db::Postgres).await;
}

/// The node stops and comes back (same chain): the indexer reports the loss in /health,
/// reconnects and continues without a gap. Then the runtime is replaced on chain
/// (`system.setCodeWithoutChecks` through sudo, the same code: a real runtime upgrade
/// without a new spec version) and the blocks after it are indexed too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn follows_a_node_restart_and_a_runtime_upgrade_sqlite() {
	let rpc = free_port();
	let base = temp_dir("idx-restart-chain");
	let node = healthchain_testkit::start_node_with(rpc, Some(&base));
	let url = format!("ws://127.0.0.1:{rpc}");
	let chain = Chain::connect(&url).await.expect("connect");
	let db = database_url_named(Db::Sqlite, "idx-restart", "idx").await;
	let idx = start_indexer(&db, rpc, &[]);
	let alice = account_of("//Alice");
	let first = submit_finalized(
		&chain,
		"//Ferdie",
		&healthchain::tx().consent().grant(alice, Scopes(1 << 1), Purposes(1 << 0), None, None),
	)
	.await;
	wait_indexed(&idx.base, first).await;

	drop(node);
	let start = Instant::now();
	loop {
		let h = health(&idx.base).await;
		if h["chain"]["connected"] == false && h["status"] == "degraded" {
			break;
		}
		assert!(start.elapsed() < Duration::from_secs(60), "the loss is not reported: {h}");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	let _node = healthchain_testkit::start_node_with(rpc, Some(&base));
	let chain = Chain::connect(&url).await.expect("reconnect");
	let second =
		submit_finalized(&chain, "//Ferdie", &healthchain::tx().consent().revoke(alice)).await;
	wait_indexed(&idx.base, second).await;

	// A runtime upgrade (the same code): blocks after it decode and index as before.
	let wasm_path = std::path::Path::new(&std::env::var("HEALTHCHAIN_NODE").expect("node"))
		.parent()
		.expect("dir")
		.join("wbuild/healthchain-runtime/healthchain_runtime.compact.compressed.wasm");
	let code = std::fs::read(&wasm_path).expect("the runtime wasm next to the node binary");
	use healthchain::runtime_types::{
		frame_system::pallet::Call as SystemCall, healthchain_runtime::RuntimeCall,
		sp_weights::weight_v2::Weight,
	};
	let upgrade = healthchain::tx().sudo().sudo_unchecked_weight(
		RuntimeCall::System(SystemCall::set_code_without_checks { code }),
		Weight { ref_time: 0, proof_size: 0 },
	);
	let upgraded = submit_finalized(&chain, "//Alice", &upgrade).await;
	let third = submit_finalized(
		&chain,
		"//Ferdie",
		&healthchain::tx().consent().grant(alice, Scopes(1 << 1), Purposes(1 << 0), None, None),
	)
	.await;
	wait_indexed(&idx.base, third).await;
	assert!(third > upgraded);
	let fp = healthchain_chain::ss58(&account_of("//Ferdie"), chain.ss58_prefix());
	let genesis = chain.genesis_hash();
	let (s, body) =
		get(&idx.base, Some("//Ferdie"), &genesis, &format!("/patients/{fp}/consents")).await;
	assert_eq!(s, 200, "{body}");
	let blocks: Vec<u64> = items(&body).iter().filter_map(|e| e["block"].as_u64()).collect();
	assert_eq!(blocks, vec![first, second, third], "{body}");
	let h = health(&idx.base).await;
	assert_eq!(h["status"], "ok", "{h}");
	drop(idx);
	let store = Store::open(&db, chain.ss58_prefix()).await.expect("store");
	let n = store
		.counts()
		.await
		.expect("counts")
		.into_iter()
		.find(|(t, _)| t == "blocks")
		.map(|(_, n)| n)
		.unwrap_or(0);
	let (last, _) = store.last_block().await.expect("last").expect("some block");
	assert!(last >= third);
	assert_eq!(n as u64, last + 1, "every block from genesis is indexed, none missing");
	let ext = store.dump(Dataset::Extrinsics).await.expect("extrinsics");
	assert!(
		ext.iter()
			.any(|e| e.contains("\"call\":\"sudo_unchecked_weight\"")
				&& e.contains("\"success\":true")),
		"the upgrade's extrinsic is indexed"
	);
}
