//! End-to-end tests of the gateway against a real dev node, on SQLite and on PostgreSQL:
//! a patient's Observation created, updated and deleted through HTTP, each version's anchor
//! checked on chain (finalized) and through `$verify`; bad input; the node unreachable; a
//! gateway killed mid-flight and restarted.

mod common;

use std::time::Duration;

use common::*;
use healthchain_chain::{Chain, RecordStatus, Scope, H256};
use serde_json::{json, Value};

const FINALITY: Duration = Duration::from_secs(120);

fn h256(hex_str: &Value) -> H256 {
	let s = hex_str.as_str().expect("hex string");
	let b = hex::decode(s.trim_start_matches("0x")).expect("hex");
	H256(b.try_into().expect("32 bytes"))
}

async fn lifecycle(db: Db) {
	let node_port = free_port();
	let _node = start_node(node_port);
	let url = database_url(db, "lifecycle").await;
	let gw = start_gateway(&url, node_port, &[]);
	let http = Http::new(&gw.base);

	let account = patient_account(7);
	let p = http.post("/fhir/Patient", &patient(&account)).await;
	assert_eq!(p.status, 201, "{}", p.body);
	let pid = p.body["id"].as_str().expect("id").to_string();

	// Create.
	let created = http.post("/fhir/Observation", &lab_observation(&pid, 95.0)).await;
	assert_eq!(created.status, 201, "{}", created.body);
	assert_eq!(created.header("etag"), "W/\"1\"");
	let oid = created.body["id"].as_str().expect("id").to_string();
	assert!(created.header("location").ends_with(&format!("/fhir/Observation/{oid}/_history/1")));
	assert_eq!(created.body["meta"]["versionId"], "1");
	let path = format!("/fhir/Observation/{oid}");

	// Update with the right and then a stale If-Match.
	let mut v2 = lab_observation(&pid, 101.0);
	v2["id"] = json!(oid);
	let updated = http.put(&path, &v2, Some("W/\"1\"")).await;
	assert_eq!(updated.status, 200, "{}", updated.body);
	assert_eq!(updated.header("etag"), "W/\"2\"");
	http.put(&path, &v2, Some("W/\"1\"")).await.assert_outcome(412, "stale");

	// Reads.
	let read = http.get(&path).await;
	assert_eq!(
		read.body["valueQuantity"]["value"].as_f64(),
		Some(101.0),
		"JCS writes 101.0 as 101"
	);
	let v1 = http.get(&format!("{path}/_history/1")).await;
	assert_eq!(v1.status, 200);
	assert_eq!(v1.body["valueQuantity"]["value"].as_f64(), Some(95.0));
	let hist = http.get(&format!("{path}/_history")).await;
	assert_eq!(hist.body["type"], "history");
	assert_eq!(hist.body["total"], 2);
	let search = http.get(&format!("/fhir/Observation?patient=Patient/{pid}")).await;
	assert_eq!(search.body["type"], "searchset");
	assert_eq!(search.body["total"], 1);
	assert_eq!(search.body["entry"][0]["resource"]["id"], json!(oid));

	// Both versions finalized on chain, with the digests the gateway computed.
	http.wait_finalized(&path, 2, FINALITY).await;
	http.wait_finalized(&path, 1, FINALITY).await;
	let a1 = http.anchor(&path.to_string()).await;
	let record_id = h256(&param(&a1, "recordId"));
	let anchor_v1 = {
		let r = http.get(&format!("{path}/$anchor?version=1")).await;
		r.body
	};
	let anchor_v2 = http.get(&format!("{path}/$anchor?version=2")).await.body;
	assert!(param(&anchor_v2, "blockHash").is_string(), "{anchor_v2}");
	let chain = Chain::connect(&format!("ws://127.0.0.1:{node_port}")).await.expect("connect");
	let (_, fin) = chain.finalized_head().await.expect("head");
	let entry = chain.record(fin, record_id).await.expect("read").expect("record on chain");
	assert_eq!(entry.versions, 2, "exactly two versions on chain");
	assert_eq!(entry.digest, h256(&param(&anchor_v2, "digest")));
	assert_eq!(
		entry.subject.0.to_vec(),
		hex::decode(account.trim_start_matches("0x")).expect("hex")
	);
	assert!(matches!(entry.scope, Scope::Labs), "a laboratory Observation is Labs");
	let old = chain.record_version(fin, record_id, 1).await.expect("read").expect("version 1");
	assert_eq!(old.digest, h256(&param(&anchor_v1, "digest")));
	// The block the gateway reports is the block that holds the version.
	let n2 = param(&anchor_v2, "blockNumber").as_u64().expect("number");
	assert_eq!(u64::from(entry.updated_at), n2);
	assert_eq!(
		chain.block_hash(n2).await.expect("hash"),
		Some(h256(&param(&anchor_v2, "blockHash")))
	);

	// $verify: v1 superseded, v2 current, a tampered copy unknown.
	let verify = |resource: Value, salt: Value| {
		json!({"resourceType": "Parameters", "parameter": [
            {"name": "resource", "resource": resource}, {"name": "salt", "valueString": salt}]})
	};
	let r = http.post("/fhir/$verify", &verify(v1.body.clone(), param(&anchor_v1, "salt"))).await;
	assert_eq!(param(&r.body, "result"), "superseded", "{}", r.body);
	let r = http.post("/fhir/$verify", &verify(read.body.clone(), param(&anchor_v2, "salt"))).await;
	assert_eq!(param(&r.body, "result"), "current", "{}", r.body);
	let mut tampered = read.body.clone();
	tampered["valueQuantity"]["value"] = json!(60.0);
	let r = http.post("/fhir/$verify", &verify(tampered, param(&anchor_v2, "salt"))).await;
	assert_eq!(param(&r.body, "result"), "unknown", "{}", r.body);

	// Delete: retraction on chain, content and salts erased here.
	let del = http.delete(&format!("{path}?reason=entered-in-error")).await;
	assert_eq!(del.status, 200, "{}", del.body);
	http.get(&path).await.assert_outcome(410, "deleted");
	http.get(&format!("{path}/_history/1")).await.assert_outcome(410, "erased");
	assert_eq!(
		param(&http.get(&format!("{path}/$anchor?version=1")).await.body, "salt"),
		Value::Null
	);
	http.wait_finalized(&path, 3, FINALITY).await;
	let (_, fin) = chain.finalized_head().await.expect("head");
	let entry = chain.record(fin, record_id).await.expect("read").expect("record");
	assert!(matches!(entry.status, RecordStatus::Retracted { .. }), "tombstone on chain");
	let r = http.post("/fhir/$verify", &verify(read.body.clone(), param(&anchor_v2, "salt"))).await;
	assert_eq!(param(&r.body, "result"), "retracted", "{}", r.body);
	let s = http.get(&format!("/fhir/Observation?patient={pid}")).await;
	assert_eq!(s.body["total"], 0);

	// Health and metrics.
	let h = http.get("/health").await;
	assert_eq!(h.body["chain"]["connected"], true, "{}", h.body);
	let m = reqwest::get(format!("{}/metrics", gw.base))
		.await
		.expect("metrics")
		.text()
		.await
		.expect("text");
	assert!(m.contains("healthchain_gateway_anchors{state=\"finalized\"} 4"), "{m}");
	assert!(m.contains("healthchain_gateway_outbox_depth 0"), "{m}");
}

#[tokio::test]
async fn lifecycle_sqlite() {
	lifecycle(Db::Sqlite).await;
}

#[tokio::test]
async fn lifecycle_postgres() {
	lifecycle(Db::Postgres).await;
}

/// Bad input, each a clear OperationOutcome and nothing half-written, with the node down
/// (writes still accepted into the outbox); then the node comes up and the outbox drains.
async fn bad_input_and_unreachable_chain(db: Db) {
	let node_port = free_port();
	let url = database_url(db, "bad").await;
	let gw = start_gateway(&url, node_port, &[("HC_GATEWAY_MAX_BODY_BYTES", "4096")]);
	let http = Http::new(&gw.base);
	let p = http.post("/fhir/Patient", &patient(&patient_account(9))).await;
	assert_eq!(p.status, 201, "writes are accepted while the node is down: {}", p.body);
	let pid = p.body["id"].as_str().expect("id").to_string();

	http.raw(
		reqwest::Method::POST,
		"/fhir/Observation",
		b"{not json".to_vec(),
		"application/fhir+json",
	)
	.await
	.assert_outcome(400, "not valid JSON");
	http.post("/fhir/Spaceship", &json!({"resourceType": "Spaceship"}))
		.await
		.assert_outcome(404, "not supported");
	http.post("/fhir/Observation", &json!({"resourceType": "Spaceship"}))
		.await
		.assert_outcome(400, "not supported");
	http.post("/fhir/Observation", &patient(&patient_account(1)))
		.await
		.assert_outcome(400, "does not match");
	http.post("/fhir/Observation", &json!({"resourceType": "Observation", "status": "final"}))
		.await
		.assert_outcome(422, "subject.reference");
	http.post("/fhir/Observation", &lab_observation("nobody", 1.0))
		.await
		.assert_outcome(422, "not on this server");
	http.post("/fhir/Patient", &json!({"resourceType": "Patient"}))
		.await
		.assert_outcome(422, "urn:healthchain:account");
	let mut bad_account = patient("not-an-account");
	bad_account["identifier"][0]["value"] = json!("xyz");
	http.post("/fhir/Patient", &bad_account).await.assert_outcome(422, "chain account");
	let mut big = lab_observation(&pid, 1.0);
	big["note"] = json!([{"text": "x".repeat(5000)}]);
	http.post("/fhir/Observation", &big).await.assert_outcome(413, "4096");
	http.raw(reqwest::Method::POST, "/fhir/Observation", b"<xml/>".to_vec(), "application/xml")
		.await
		.assert_outcome(415, "application/fhir+json");
	http.post("/fhir/Observation", &json!([1, 2])).await.assert_outcome(400, "JSON object");

	let created = http.post("/fhir/Observation", &lab_observation(&pid, 5.0)).await;
	assert_eq!(created.status, 201);
	let oid = created.body["id"].as_str().expect("id").to_string();
	let path = format!("/fhir/Observation/{oid}");
	let mut other_id = lab_observation(&pid, 6.0);
	other_id["id"] = json!("another");
	http.put(&path, &other_id, None).await.assert_outcome(400, "does not match the URL");
	http.put(&path, &lab_observation(&pid, 6.0), None)
		.await
		.assert_outcome(400, "must carry the resource's id");
	let mut v2 = lab_observation(&pid, 6.0);
	v2["id"] = json!(oid);
	http.put(&path, &v2, Some("W/\"7\"")).await.assert_outcome(412, "stale");
	http.put(&path, &v2, Some("garbage")).await.assert_outcome(400, "If-Match");
	let mut vital = v2.clone();
	vital["category"] = json!([{"coding": [{"code": "vital-signs"}]}]);
	http.put(&path, &vital, None).await.assert_outcome(422, "scope is fixed");
	http.get("/fhir/Observation?code=1234").await.assert_outcome(400, "not supported");
	http.get("/fhir/Observation").await.assert_outcome(400, "by patient");
	http.get("/fhir/Observation/does-not-exist").await.assert_outcome(404, "does not exist");
	http.get(&format!("{path}/_history/9")).await.assert_outcome(404, "no version 9");
	http.get(&format!("{path}/$anchor?version=abc")).await.assert_outcome(400, "not a number");
	http.send(reqwest::Method::PATCH, &path, None, &[])
		.await
		.assert_outcome(405, "PATCH is not supported");
	let def = http.get("/fhir/OperationDefinition/verify").await;
	assert_eq!(def.body["resourceType"], "OperationDefinition", "{}", def.body);
	let cap = http.get("/fhir/metadata").await;
	assert_eq!(cap.body["fhirVersion"], "4.0.1");
	http.post("/fhir/$verify", &json!({"resourceType": "Parameters", "parameter": []}))
		.await
		.assert_outcome(400, "needs a resource");
	let read = http.get(&path).await;
	let verify = json!({"resourceType": "Parameters", "parameter": [
        {"name": "resource", "resource": read.body}, {"name": "salt", "valueString": "0x00112233445566778899aabbccddeeff"}]});
	http.post("/fhir/$verify", &verify).await.assert_outcome(503, "unreachable");

	// Nothing half-written: exactly the two accepted resources, each at version 1.
	let hist = http.get(&format!("{path}/_history")).await;
	assert_eq!(hist.body["total"], 1, "{}", hist.body);
	let s = http.get(&format!("/fhir/Observation?patient={pid}")).await;
	assert_eq!(s.body["total"], 1);
	let h = http.get("/health").await;
	assert_eq!(h.body["chain"]["connected"], false, "{}", h.body);
	assert_eq!(h.body["outbox"]["depth"], 2, "{}", h.body);
	assert_eq!(param(&http.anchor(&path).await, "status"), "pending");

	// The node comes up on the configured port: the outbox drains to finality.
	let _node = start_node(node_port);
	http.wait_finalized(&path, 1, FINALITY).await;
	http.wait_finalized(&format!("/fhir/Patient/{pid}"), 1, FINALITY).await;
	let h = http.get("/health").await;
	assert_eq!(h.body["outbox"]["depth"], 0, "{}", h.body);
}

#[tokio::test]
async fn bad_input_and_unreachable_chain_sqlite() {
	bad_input_and_unreachable_chain(Db::Sqlite).await;
}

#[tokio::test]
async fn bad_input_and_unreachable_chain_postgres() {
	bad_input_and_unreachable_chain(Db::Postgres).await;
}

fn metric(text: &str, name: &str) -> f64 {
	text.lines()
		.filter(|l| l.starts_with(name))
		.filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
		.sum()
}

/// Kill -9 the gateway between submitting an `anchorMany` and its inclusion, restart it on
/// the same database: every acknowledged write is there, and every version is anchored
/// exactly once (the chain's version count equals the FHIR version count, digest by digest).
async fn kill_and_restart(db: Db) {
	let node_port = free_port();
	let _node = start_node(node_port);
	let url = database_url(db, "kill").await;
	let gw = start_gateway(&url, node_port, &[("HC_GATEWAY_ANCHOR_BATCH", "25")]);
	let http = Http::new(&gw.base);
	let pid = http.post("/fhir/Patient", &patient(&patient_account(3))).await.body["id"]
		.as_str()
		.expect("id")
		.to_string();

	// 40 resources, each created and updated once: 81 acknowledged versions.
	let mut acknowledged: Vec<(String, i64)> = vec![(format!("/fhir/Patient/{pid}"), 1)];
	for i in 0..40 {
		let c = http.post("/fhir/Observation", &lab_observation(&pid, i as f64)).await;
		assert_eq!(c.status, 201, "{}", c.body);
		let id = c.body["id"].as_str().expect("id").to_string();
		let path = format!("/fhir/Observation/{id}");
		acknowledged.push((path.clone(), 1));
		let mut v2 = lab_observation(&pid, i as f64 + 0.5);
		v2["id"] = json!(id);
		let u = http.put(&path, &v2, None).await;
		assert_eq!(u.status, 200, "{}", u.body);
		acknowledged.push((path, 2));
	}
	// Kill -9 as soon as a batch is in the pool and not yet in a block.
	let mut gw = gw;
	let mut last_metrics = String::new();
	let start = std::time::Instant::now();
	let killed = loop {
		let m = reqwest::get(format!("{}/metrics", gw.base))
			.await
			.expect("metrics")
			.text()
			.await
			.expect("text");
		if metric(&m, "healthchain_gateway_anchor_submitted_total") >= 1.0
			&& metric(&m, "healthchain_gateway_anchor_submissions_total") == 0.0
		{
			gw.proc.0.kill().expect("kill -9");
			let _ = gw.proc.0.wait();
			break true;
		}
		last_metrics = m;
		if start.elapsed() > Duration::from_secs(30) {
			break false;
		}
		tokio::time::sleep(Duration::from_millis(20)).await;
	};
	assert!(
		killed,
		"the gateway was killed between a submission and its inclusion; metrics:\n{last_metrics}"
	);
	drop(gw);

	// Restart on the same database and keep writing.
	let gw = start_gateway(&url, node_port, &[("HC_GATEWAY_ANCHOR_BATCH", "25")]);
	let http = Http::new(&gw.base);
	for i in 0..5 {
		let c = http.post("/fhir/Observation", &lab_observation(&pid, 1000.0 + i as f64)).await;
		assert_eq!(c.status, 201);
		acknowledged.push((format!("/fhir/Observation/{}", c.body["id"].as_str().expect("id")), 1));
	}
	for (path, version) in &acknowledged {
		let r = http.get(&format!("{path}/_history/{version}")).await;
		assert_eq!(
			r.status, 200,
			"acknowledged {path} v{version} is there after the crash: {}",
			r.body
		);
		http.wait_finalized(path, *version, FINALITY).await;
	}
	let chain = Chain::connect(&format!("ws://127.0.0.1:{node_port}")).await.expect("connect");
	let (_, fin) = chain.finalized_head().await.expect("head");
	let mut latest: std::collections::BTreeMap<String, i64> = Default::default();
	for (path, version) in &acknowledged {
		let e = latest.entry(path.clone()).or_default();
		*e = (*e).max(*version);
	}
	for (path, versions) in latest {
		let a = http.anchor(&path).await;
		let record_id = h256(&param(&a, "recordId"));
		let entry = chain.record(fin, record_id).await.expect("read").expect("on chain");
		assert_eq!(i64::from(entry.versions), versions, "{path}: anchored once per version");
		for v in 1..=versions {
			let p = http.get(&format!("{path}/$anchor?version={v}")).await.body;
			let on_chain = if v == versions {
				entry.digest
			} else {
				chain
					.record_version(fin, record_id, v as u32)
					.await
					.expect("read")
					.expect("version")
					.digest
			};
			assert_eq!(on_chain, h256(&param(&p, "digest")), "{path} v{v}");
		}
	}
}

#[tokio::test]
async fn kill_and_restart_sqlite() {
	kill_and_restart(Db::Sqlite).await;
}

#[tokio::test]
async fn kill_and_restart_postgres() {
	kill_and_restart(Db::Postgres).await;
}

/// SIGTERM: the gateway finishes, exits 0, and what it acknowledged is there on restart.
#[tokio::test]
async fn graceful_shutdown_sqlite() {
	let node_port = free_port();
	let url = database_url(Db::Sqlite, "shutdown").await;
	let mut gw = start_gateway(&url, node_port, &[]);
	let http = Http::new(&gw.base);
	let p = http.post("/fhir/Patient", &patient(&patient_account(4))).await;
	assert_eq!(p.status, 201);
	let pid = p.body["id"].as_str().expect("id").to_string();
	let status = std::process::Command::new("kill")
		.args(["-TERM", &gw.proc.0.id().to_string()])
		.status()
		.expect("kill -TERM");
	assert!(status.success());
	let start = std::time::Instant::now();
	let code = loop {
		if let Some(code) = gw.proc.0.try_wait().expect("wait") {
			break code;
		}
		assert!(start.elapsed() < Duration::from_secs(15), "the gateway did not stop on SIGTERM");
		tokio::time::sleep(Duration::from_millis(50)).await;
	};
	assert!(code.success(), "exit status {code:?}");
	let gw = start_gateway(&url, node_port, &[]);
	let http = Http::new(&gw.base);
	assert_eq!(http.get(&format!("/fhir/Patient/{pid}")).await.status, 200);
}

/// A store belongs to one organisation: started with another organisation's key, the gateway
/// refuses to run (record ids derive from the organisation) and says why.
#[tokio::test]
async fn another_organisations_key_is_refused_sqlite() {
	let node_port = free_port();
	let url = database_url(Db::Sqlite, "identity").await;
	{
		let gw = start_gateway(&url, node_port, &[]);
		let http = Http::new(&gw.base);
		assert_eq!(http.post("/fhir/Patient", &patient(&patient_account(5))).await.status, 201);
	}
	let log = temp_dir("identity").join("gateway.log");
	let out = std::process::Command::new(env!("CARGO_BIN_EXE_healthchain-gateway"))
		.env("HC_GATEWAY_LISTEN", format!("127.0.0.1:{}", free_port()))
		.env("HC_GATEWAY_DATABASE_URL", &url)
		.env("HC_GATEWAY_CHAIN_URL", format!("ws://127.0.0.1:{node_port}"))
		.env("HC_GATEWAY_SIGNER", "//Bob")
		.stderr(std::fs::File::create(&log).expect("log"))
		.status()
		.expect("run the gateway");
	assert!(!out.success(), "a gateway with another organisation's key must not start");
	let text = std::fs::read_to_string(&log).expect("log");
	assert!(text.contains("this database belongs to organisation"), "{text}");
}
