//! End-to-end test of the organisation-to-organisation exchange on a dev chain with two
//! gateways: hospital A (Alice) keeps a patient's lab Observation; clinic B (Bob) asks for it.
//! Denied without consent; the patient (Ferdie) grants B; B retrieves it through its own
//! gateway, which verifies the digest against the chain and keeps a verified copy; A's
//! disclosure is on chain (`consent.RecordDisclosed`, found at the block and extrinsic its
//! AuditEvent names); B's event stream announces A's amendment; forged, replayed, stale,
//! foreign, unregistered, unapproved, non-proxy, wrong-purpose and wrong-patient requests are
//! refused by name and
//! audited; the patient revokes and B is denied once A follows the finalized revocation; with
//! the node down, reads fail closed.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures::StreamExt;
use healthchain_chain::{
	healthchain::{
		self,
		runtime_types::healthchain_primitives::sets::{Purposes, Scopes},
	},
	AccessBasis, AccountId32, Chain, Signer, H256,
};
use healthchain_gateway::signature::RequestSigner;
use serde_json::{json, Value};

const FINALITY: Duration = Duration::from_secs(120);

use healthchain_testkit::{account_of, submit_finalized};

/// A signed GET to A's exchange API as `signer`.
async fn signed_get(
	http: &Http,
	signer: &RequestSigner,
	audience: &AccountId32,
	path: &str,
	query: Option<&str>,
	purpose: &str,
) -> Resp {
	let headers = signer.headers("GET", path, query, b"", audience, purpose);
	send_with(http, path, query, &headers).await
}

async fn send_with(
	http: &Http,
	path: &str,
	query: Option<&str>,
	headers: &[(&'static str, String)],
) -> Resp {
	let url = match query {
		Some(q) => format!("{path}?{q}"),
		None => path.to_string(),
	};
	let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
	http.send(reqwest::Method::GET, &url, None, &h).await
}

async fn health(http: &Http) -> Value {
	http.get("/health").await.body
}

/// Wait until A's exchange follows finalized blocks at or above `n`.
async fn wait_exchange_at(http: &Http, n: u64) {
	let start = Instant::now();
	loop {
		let h = health(http).await;
		if h["exchange"]["following"] == json!(true)
			&& h["exchange"]["finalizedBlock"].as_u64().is_some_and(|b| b >= n)
		{
			return;
		}
		assert!(start.elapsed() < FINALITY, "exchange not at block {n}: {h}");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
}

async fn audit_events(http: &Http, query: &str) -> Vec<Value> {
	let r = http.get(&format!("/fhir/AuditEvent?{query}&_count=100")).await;
	assert_eq!(r.status, 200, "{}", r.body);
	r.body["entry"]
		.as_array()
		.cloned()
		.unwrap_or_default()
		.into_iter()
		.map(|e| e["resource"].clone())
		.collect()
}

async fn exchange(db: Db) {
	let node_port = free_port();
	let node = start_node(node_port);
	let alice = account_of("//Alice");
	let bob = account_of("//Bob");
	let patient = account_of("//Ferdie");
	let a_url = database_url(db, "exchange-a").await;
	let a = start_gateway(&a_url, node_port, &[]);
	let b_url = database_url(db, "exchange-b").await;
	let peers = format!("{alice}={}", a.base);
	let b = start_gateway(
		&b_url,
		node_port,
		&[("HC_GATEWAY_SIGNER", "//Bob"), ("HC_GATEWAY_PEERS", peers.as_str())],
	);
	let (ha, hb) = (Http::new(&a.base), Http::new(&b.base));
	let chain = Chain::connect(&format!("ws://127.0.0.1:{node_port}")).await.expect("connect");
	let bob_signs =
		RequestSigner::new(&Signer::from_suri("//Bob", None).expect("bob"), &chain.genesis_hash());

	// A ingests the patient's lab Observation; anchored and finalized.
	let p = ha.post("/fhir/Patient", &patient_with(&patient.to_string())).await;
	assert_eq!(p.status, 201, "{}", p.body);
	let pid = p.body["id"].as_str().expect("id").to_string();
	let o = ha.post("/fhir/Observation", &lab_observation(&pid, 95.0)).await;
	assert_eq!(o.status, 201, "{}", o.body);
	let oid = o.body["id"].as_str().expect("id").to_string();
	let opath = format!("/exchange/fhir/Observation/{oid}");
	ha.wait_finalized(&format!("/fhir/Observation/{oid}"), 1, FINALITY).await;
	wait_exchange_at(&ha, 1).await;

	// B asks through its gateway: denied, no consent.
	let retrieve = json!({"resourceType": "Parameters", "parameter": [
		{"name": "custodian", "valueString": alice.to_string()},
		{"name": "resource", "valueString": format!("Observation/{oid}")},
		{"name": "purpose", "valueCode": "treatment"},
		{"name": "patient", "valueString": patient.to_string()},
	]});
	hb.post("/fhir/$retrieve", &retrieve).await.assert_outcome(403, "ConsentMissing");
	let denied = audit_events(&ha, "outcome=4").await;
	assert!(
		denied.iter().any(|e| e["outcomeDesc"].as_str().unwrap_or("").contains("ConsentMissing")),
		"the denial is audited: {denied:?}"
	);

	// The patient grants B labs for treatment.
	let grant =
		healthchain::tx().consent().grant(bob, Scopes(1 << 1), Purposes(1 << 0), None, None);
	let granted_at = submit_finalized(&chain, "//Ferdie", &grant).await;
	wait_exchange_at(&ha, granted_at).await;

	// B retrieves: verified against the chain, a copy kept.
	let got = hb.post("/fhir/$retrieve", &retrieve).await;
	assert_eq!(got.status, 200, "{}", got.body);
	assert_eq!(param(&got.body, "verification"), json!("current"));
	assert_eq!(param(&got.body, "version"), json!(1));
	assert_eq!(param(&got.body, "basis"), json!("consent"));
	let record_id = param(&got.body, "recordId").as_str().expect("record id").to_string();
	let resource = got.body["parameter"][0]["resource"].clone();
	assert_eq!(resource["valueQuantity"]["value"].as_f64(), Some(95.0));
	assert!(resource["meta"].get("extension").is_none(), "the copy is the anchored form");

	// A recorded the disclosure on chain: its AuditEvent names the block and extrinsic.
	let start = Instant::now();
	let (block_n, ext_index) = loop {
		let released = audit_events(&ha, &format!("patient={patient}&outcome=0")).await;
		let release = released
			.iter()
			.find(|e| e["subtype"][0]["code"] == "read")
			.cloned()
			.expect("a release AuditEvent");
		assert_eq!(release["purposeOfEvent"][0]["coding"][0]["code"], "TREAT");
		assert_eq!(release["agent"][0]["who"]["identifier"]["value"], bob.to_string());
		let disclosure = release["entity"]
			.as_array()
			.and_then(|es| es.iter().find(|e| e["name"] == "consent.recordDisclosures"))
			.cloned()
			.expect("the disclosure entity");
		let detail = |t: &str| {
			disclosure["detail"]
				.as_array()
				.and_then(|d| d.iter().find(|x| x["type"] == t))
				.and_then(|x| x["valueString"].as_str())
				.map(str::to_string)
		};
		if detail("state").as_deref() == Some("finalized") {
			break (
				detail("blockNumber").expect("block").parse::<u64>().expect("n"),
				detail("extrinsicIndex").expect("index").parse::<u32>().expect("i"),
			);
		}
		assert!(start.elapsed() < FINALITY, "disclosure not finalized: {release}");
		tokio::time::sleep(Duration::from_millis(300)).await;
	};
	let hash = chain.block_hash(block_n).await.expect("hash").expect("block");
	let events = chain.at(hash).await.expect("at").events().await.expect("events");
	let found = events
		.iter()
		.filter_map(Result::ok)
		.filter(|ev| {
			matches!(ev.phase(), healthchain_chain::subxt::events::Phase::ApplyExtrinsic(i) if i == ext_index)
		})
		.filter_map(|ev| ev.decode_fields_as::<healthchain::consent::events::RecordDisclosed>())
		.filter_map(Result::ok)
		.find(|e| format!("0x{}", hex::encode(e.record_id.0)) == record_id)
		.expect("RecordDisclosed in the named extrinsic");
	assert_eq!(found.discloser, alice);
	assert_eq!(found.recipient, bob);
	assert_eq!(found.patient, patient);
	assert_eq!(found.verdict, Ok(AccessBasis::Consent));

	// B subscribes to A's event stream; A amends; B is told.
	let sse_headers = bob_signs.headers("GET", "/exchange/events", None, b"", &alice, "treatment");
	let mut req = reqwest::Client::new().get(format!("{}/exchange/events", a.base));
	for (k, v) in &sse_headers {
		req = req.header(*k, v);
	}
	let stream = req.send().await.expect("subscribe");
	assert_eq!(stream.status(), 200);
	let mut bytes = stream.bytes_stream();
	let mut v2 = lab_observation(&pid, 101.0);
	v2["id"] = json!(oid);
	assert_eq!(ha.put(&format!("/fhir/Observation/{oid}"), &v2, None).await.status, 200);
	let notified = tokio::time::timeout(FINALITY, async {
		let mut buf = String::new();
		while let Some(chunk) = bytes.next().await {
			buf.push_str(&String::from_utf8_lossy(&chunk.expect("chunk")));
			let complete = &buf[..buf.rfind('\n').unwrap_or(0)];
			if let Some(line) =
				complete.lines().find(|l| l.starts_with("data: ") && l.contains(&oid))
			{
				return serde_json::from_str::<Value>(&line["data: ".len()..]).expect("event data");
			}
		}
		panic!("the event stream ended");
	})
	.await
	.expect("notified of the amendment");
	assert_eq!(notified["versionId"], "2");
	assert_eq!(notified["recordId"], json!(record_id));
	drop(bytes);

	// Bad input, each refused by name and audited.
	let before = audit_events(&ha, "outcome=4").await.len();
	let good = bob_signs.headers("GET", &opath, None, b"", &alice, "treatment");
	let ok = send_with(&ha, &opath, None, &good).await;
	assert_eq!(ok.status, 200, "{}", ok.body);
	assert_eq!(ok.header("healthchain-basis"), "consent");
	send_with(&ha, &opath, None, &good).await.assert_outcome(401, "used already");
	let mut forged = bob_signs.headers("GET", &opath, None, b"", &alice, "treatment");
	let sig = forged.iter_mut().find(|(k, _)| *k == "signature").expect("signature");
	sig.1 = sig.1.replacen(&sig.1[5..9], "AAAA", 1);
	send_with(&ha, &opath, None, &forged).await.assert_outcome(401, "does not verify");
	let now = time::OffsetDateTime::now_utc().unix_timestamp();
	let stale = bob_signs.headers_at(
		"GET",
		&opath,
		None,
		b"",
		&alice,
		"treatment",
		now - 3600,
		"0123456789abcdef0123",
	);
	send_with(&ha, &opath, None, &stale).await.assert_outcome(401, "away from this server's clock");
	let elsewhere =
		RequestSigner::new(&Signer::from_suri("//Bob", None).expect("bob"), &H256([1; 32]));
	let foreign = elsewhere.headers("GET", &opath, None, b"", &alice, "treatment");
	send_with(&ha, &opath, None, &foreign).await.assert_outcome(401, "another chain");
	let dave = RequestSigner::new(
		&Signer::from_suri("//Dave", None).expect("dave"),
		&chain.genesis_hash(),
	);
	signed_get(&ha, &dave, &alice, &opath, None, "treatment")
		.await
		.assert_outcome(403, "not a registered provider");
	// Registered but not approved: refused with its status.
	let (n, _) = chain.best_head().await.expect("head");
	let register = healthchain::tx().providers().register(
		healthchain::runtime_types::healthchain_primitives::sets::Roles(1 << 1),
		H256([5; 32]),
		n as u32 + 10_000,
	);
	let registered_at = submit_finalized(&chain, "//Dave", &register).await;
	wait_exchange_at(&ha, registered_at).await;
	signed_get(&ha, &dave, &alice, &opath, None, "treatment")
		.await
		.assert_outcome(403, "pending approval");
	let as_proxy = RequestSigner::new(
		&Signer::from_suri("//Eve", Some(&bob.to_string())).expect("eve for bob"),
		&chain.genesis_hash(),
	);
	signed_get(&ha, &as_proxy, &alice, &opath, None, "treatment")
		.await
		.assert_outcome(403, "NotAProxy");
	signed_get(&ha, &bob_signs, &alice, &opath, None, "research")
		.await
		.assert_outcome(403, "PurposeNotGranted");
	signed_get(&ha, &bob_signs, &alice, &opath, None, "curiosity")
		.await
		.assert_outcome(400, "purpose");
	let other = account_of("//Eve");
	signed_get(&ha, &bob_signs, &alice, &opath, Some(&format!("patient={other}")), "treatment")
		.await
		.assert_outcome(403, "RecordNotOfPatient");
	let after = audit_events(&ha, "outcome=4").await.len();
	assert_eq!(after - before, 10, "each refusal is an AuditEvent");

	// A search returns what is covered, with the salt to verify it.
	let q = format!("patient.identifier=urn:healthchain:account|{patient}");
	let s =
		signed_get(&ha, &bob_signs, &alice, "/exchange/fhir/Observation", Some(&q), "treatment")
			.await;
	assert_eq!(s.status, 200, "{}", s.body);
	assert_eq!(s.body["entry"].as_array().map(Vec::len), Some(1), "{}", s.body);

	// The patient revokes; once A follows the finalized revocation, B is denied.
	let revoke = healthchain::tx().consent().revoke(bob);
	let revoked_at = submit_finalized(&chain, "//Ferdie", &revoke).await;
	wait_exchange_at(&ha, revoked_at).await;
	signed_get(&ha, &bob_signs, &alice, &opath, None, "treatment")
		.await
		.assert_outcome(403, "ConsentMissing");
	hb.post("/fhir/$retrieve", &retrieve).await.assert_outcome(403, "ConsentMissing");

	// The node goes away: reads that need a consent check fail closed.
	drop(node);
	let start = Instant::now();
	while health(&ha).await["exchange"]["following"] == json!(true) {
		assert!(start.elapsed() < Duration::from_secs(30), "the follower did not notice");
		tokio::time::sleep(Duration::from_millis(100)).await;
	}
	signed_get(&ha, &bob_signs, &alice, &opath, None, "treatment")
		.await
		.assert_outcome(503, "fail closed");
	assert!(audit_events(&ha, "outcome=8").await.len() == 1, "the failure is audited");
	assert_eq!(hb.get("/health").await.status, 200, "B stays up without the node");
}

/// Releases acknowledged, then the custodian's gateway killed (SIGKILL) while their
/// disclosures are being recorded, and restarted on the same database: every disclosure ends
/// finalized on chain exactly once.
async fn disclosures_survive_a_kill(db: Db) {
	let node_port = free_port();
	let _node = start_node(node_port);
	let alice = account_of("//Alice");
	let bob = account_of("//Bob");
	let patient = account_of("//Ferdie");
	let url = database_url(db, "disclosure-kill").await;
	let a = start_gateway(&url, node_port, &[]);
	let ha = Http::new(&a.base);
	let chain = Chain::connect(&format!("ws://127.0.0.1:{node_port}")).await.expect("connect");
	let bob_signs =
		RequestSigner::new(&Signer::from_suri("//Bob", None).expect("bob"), &chain.genesis_hash());
	let p = ha.post("/fhir/Patient", &patient_with(&patient.to_string())).await;
	let pid = p.body["id"].as_str().expect("id").to_string();
	let o = ha.post("/fhir/Observation", &lab_observation(&pid, 95.0)).await;
	let oid = o.body["id"].as_str().expect("id").to_string();
	ha.wait_finalized(&format!("/fhir/Observation/{oid}"), 1, FINALITY).await;
	let grant =
		healthchain::tx().consent().grant(bob, Scopes(1 << 1), Purposes(1 << 0), None, None);
	let granted_at = submit_finalized(&chain, "//Ferdie", &grant).await;
	wait_exchange_at(&ha, granted_at).await;

	const RELEASES: usize = 20;
	let opath = format!("/exchange/fhir/Observation/{oid}");
	for _ in 0..RELEASES {
		let r = signed_get(&ha, &bob_signs, &alice, &opath, None, "treatment").await;
		assert_eq!(r.status, 200, "{}", r.body);
	}
	// The recorder submits at once and waits for the block: kill it meanwhile.
	tokio::time::sleep(Duration::from_millis(1200)).await;
	drop(a);
	let a = start_gateway(&url, node_port, &[]);
	let ha = Http::new(&a.base);
	let start = Instant::now();
	loop {
		let h = health(&ha).await;
		let d = &h["exchange"]["disclosures"];
		if d["finalized"].as_u64() == Some(RELEASES as u64) {
			break;
		}
		assert_eq!(d["failed"].as_u64(), Some(0), "{h}");
		// The transaction may need its mortality to pass before being sent again.
		assert!(start.elapsed() < Duration::from_secs(900), "disclosures not finalized: {h}");
		tokio::time::sleep(Duration::from_millis(300)).await;
	}
	let (fin, _) = chain.finalized_head().await.expect("head");
	let mut on_chain = 0;
	for n in 1..=fin {
		let hash = chain.block_hash(n).await.expect("hash").expect("block");
		let events = chain.at(hash).await.expect("at").events().await.expect("events");
		on_chain += events
			.iter()
			.filter_map(Result::ok)
			.filter_map(|ev| ev.decode_fields_as::<healthchain::consent::events::RecordDisclosed>())
			.filter_map(Result::ok)
			.filter(|e| e.discloser == alice && e.recipient == bob)
			.count();
	}
	assert_eq!(on_chain, RELEASES, "each acknowledged release is on chain exactly once");
}

#[tokio::test]
async fn disclosures_survive_a_kill_sqlite() {
	disclosures_survive_a_kill(Db::Sqlite).await;
}

/// Hospital A's gateway signs with a proxy key (Eve) that A added twice, as `Records` and as
/// `AccessLog`: its anchors go through as `Records`, its disclosures as `AccessLog`.
#[tokio::test]
async fn a_records_and_access_log_proxy_key_anchors_and_records_disclosures_sqlite() {
	let node_port = free_port();
	let _node = start_node(node_port);
	let alice = account_of("//Alice");
	let bob = account_of("//Bob");
	let eve = account_of("//Eve");
	let patient = account_of("//Ferdie");
	let chain = Chain::connect(&format!("ws://127.0.0.1:{node_port}")).await.expect("connect");
	use healthchain_chain::{subxt::utils::MultiAddress, ProxyType};
	for t in [ProxyType::Records, ProxyType::AccessLog] {
		let add = healthchain::tx().proxy().add_proxy(MultiAddress::Id(eve), t, 0);
		submit_finalized(&chain, "//Alice", &add).await;
	}
	let url = database_url(Db::Sqlite, "proxy-gw").await;
	let alice_text = alice.to_string();
	let a = start_gateway(
		&url,
		node_port,
		&[("HC_GATEWAY_SIGNER", "//Eve"), ("HC_GATEWAY_PROXY_FOR", alice_text.as_str())],
	);
	let ha = Http::new(&a.base);
	let p = ha.post("/fhir/Patient", &patient_with(&patient.to_string())).await;
	assert_eq!(p.status, 201, "{}", p.body);
	let pid = p.body["id"].as_str().expect("id").to_string();
	let o = ha.post("/fhir/Observation", &lab_observation(&pid, 95.0)).await;
	let oid = o.body["id"].as_str().expect("id").to_string();
	ha.wait_finalized(&format!("/fhir/Observation/{oid}"), 1, FINALITY).await;
	let grant =
		healthchain::tx().consent().grant(bob, Scopes(1 << 1), Purposes(1 << 0), None, None);
	let granted_at = submit_finalized(&chain, "//Ferdie", &grant).await;
	wait_exchange_at(&ha, granted_at).await;
	let bob_signs =
		RequestSigner::new(&Signer::from_suri("//Bob", None).expect("bob"), &chain.genesis_hash());
	let r = signed_get(
		&ha,
		&bob_signs,
		&alice,
		&format!("/exchange/fhir/Observation/{oid}"),
		None,
		"treatment",
	)
	.await;
	assert_eq!(r.status, 200, "{}", r.body);
	let start = Instant::now();
	loop {
		let h = health(&ha).await;
		let d = &h["exchange"]["disclosures"];
		if d["finalized"].as_u64() == Some(1) {
			break;
		}
		assert!(
			start.elapsed() < FINALITY,
			"the disclosure is not recorded through the proxy: {h}"
		);
		tokio::time::sleep(Duration::from_millis(300)).await;
	}
}

fn patient_with(account: &str) -> Value {
	patient(account)
}

#[tokio::test]
async fn two_gateways_exchange_under_consent_sqlite() {
	exchange(Db::Sqlite).await;
}

#[tokio::test]
async fn two_gateways_exchange_under_consent_postgres() {
	exchange(Db::Postgres).await;
}
