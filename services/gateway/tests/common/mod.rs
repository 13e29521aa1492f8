//! Test harness: a dev node, a gateway process, a throwaway database, HTTP helpers.
//!
//! Needs `HEALTHCHAIN_NODE` (the node binary; scripts/test builds it) and, for the
//! PostgreSQL variants, `HC_TEST_POSTGRES_URL` (an admin URL of a throwaway server that
//! scripts/test starts). A missing one fails the test with a sentence saying so.
#![allow(dead_code)]

use std::{
	process::{Command, Stdio},
	time::{Duration, Instant},
};

use serde_json::{json, Value};

pub use healthchain_testkit::{free_port, start_node, temp_dir, wait_until, Db, Proc};

/// A fresh database URL for one gateway.
pub async fn database_url(db: Db, tag: &str) -> String {
	healthchain_testkit::database_url_named(db, tag, "gw").await
}

/// A running gateway.
pub struct Gateway {
	pub proc: Proc,
	pub port: u16,
	pub base: String,
}

pub fn start_gateway(database_url: &str, chain_port: u16, extra_env: &[(&str, &str)]) -> Gateway {
	let port = free_port();
	let log = std::fs::File::create(temp_dir("gw").join("gateway.log")).expect("log");
	let mut cmd = Command::new(env!("CARGO_BIN_EXE_healthchain-gateway"));
	cmd.env("HC_GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
		.env("HC_GATEWAY_DATABASE_URL", database_url)
		.env("HC_GATEWAY_CHAIN_URL", format!("ws://127.0.0.1:{chain_port}"))
		.env("HC_GATEWAY_SIGNER", "//Alice")
		.env("HC_GATEWAY_ANCHOR_POLL_MS", "200")
		.env("RUST_LOG", "info,healthchain_gateway=debug")
		.stdout(Stdio::null())
		.stderr(log);
	for (k, v) in extra_env {
		cmd.env(k, v);
	}
	let child = cmd.spawn().expect("start the gateway");
	let gw = Gateway { proc: Proc(child), port, base: format!("http://127.0.0.1:{port}") };
	wait_until(Duration::from_secs(30), "the gateway's /health", || {
		std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
	});
	gw
}

/// An HTTP response: status, headers, JSON body.
pub struct Resp {
	pub status: u16,
	pub headers: reqwest::header::HeaderMap,
	pub body: Value,
}

impl Resp {
	pub fn header(&self, name: &str) -> String {
		self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
	}

	/// The body is an OperationOutcome with an error whose diagnostics contains `text`.
	pub fn assert_outcome(&self, status: u16, text: &str) {
		assert_eq!(self.status, status, "status; body {}", self.body);
		assert_eq!(self.body["resourceType"], "OperationOutcome", "body {}", self.body);
		let diag = self.body["issue"][0]["diagnostics"].as_str().unwrap_or("");
		assert!(diag.contains(text), "diagnostics {diag:?} should contain {text:?}");
	}
}

pub struct Http {
	pub client: reqwest::Client,
	pub base: String,
}

impl Http {
	pub fn new(base: &str) -> Self {
		Self { client: reqwest::Client::new(), base: base.into() }
	}

	pub async fn send(
		&self,
		method: reqwest::Method,
		path: &str,
		body: Option<&Value>,
		headers: &[(&str, &str)],
	) -> Resp {
		let mut req = self.client.request(method, format!("{}{path}", self.base));
		if let Some(b) = body {
			req = req.header("content-type", "application/fhir+json").body(b.to_string());
		}
		for (k, v) in headers {
			req = req.header(*k, *v);
		}
		let resp = req.send().await.expect("HTTP request");
		let status = resp.status().as_u16();
		let headers = resp.headers().clone();
		let text = resp.text().await.expect("body");
		let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
		Resp { status, headers, body }
	}

	pub async fn raw(
		&self,
		method: reqwest::Method,
		path: &str,
		body: Vec<u8>,
		content_type: &str,
	) -> Resp {
		let resp = self
			.client
			.request(method, format!("{}{path}", self.base))
			.header("content-type", content_type)
			.body(body)
			.send()
			.await
			.expect("HTTP request");
		let status = resp.status().as_u16();
		let headers = resp.headers().clone();
		let text = resp.text().await.expect("body");
		let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
		Resp { status, headers, body }
	}

	pub async fn get(&self, path: &str) -> Resp {
		self.send(reqwest::Method::GET, path, None, &[]).await
	}
	pub async fn post(&self, path: &str, body: &Value) -> Resp {
		self.send(reqwest::Method::POST, path, Some(body), &[]).await
	}
	pub async fn put(&self, path: &str, body: &Value, if_match: Option<&str>) -> Resp {
		match if_match {
			Some(m) => self.send(reqwest::Method::PUT, path, Some(body), &[("if-match", m)]).await,
			None => self.send(reqwest::Method::PUT, path, Some(body), &[]).await,
		}
	}
	pub async fn delete(&self, path: &str) -> Resp {
		self.send(reqwest::Method::DELETE, path, None, &[]).await
	}

	/// A `Parameters` value by name.
	pub async fn anchor(&self, path: &str) -> Value {
		let r = self.get(&format!("{path}/$anchor")).await;
		assert_eq!(r.status, 200, "{}", r.body);
		r.body
	}

	/// Wait until every version of the resource at `path` up to `version` is finalized.
	pub async fn wait_finalized(&self, path: &str, version: i64, limit: Duration) {
		let start = Instant::now();
		loop {
			let p = self.get(&format!("{path}/$anchor?version={version}")).await;
			let status = param(&p.body, "status");
			if status == json!("finalized") {
				return;
			}
			assert_ne!(status, json!("failed"), "anchor failed: {}", p.body);
			assert!(
				start.elapsed() < limit,
				"{path} v{version} not finalized after {limit:?}: {}",
				p.body
			);
			tokio::time::sleep(Duration::from_millis(300)).await;
		}
	}
}

/// A parameter's value (`value*`) in a `Parameters` resource.
pub fn param(p: &Value, name: &str) -> Value {
	p["parameter"]
		.as_array()
		.and_then(|ps| ps.iter().find(|x| x["name"] == name))
		.and_then(|x| x.as_object())
		.and_then(|o| o.iter().find(|(k, _)| k.starts_with("value")).map(|(_, v)| v.clone()))
		.unwrap_or(Value::Null)
}

/// A patient's account in hex (any 32 bytes: patients need no funds).
pub fn patient_account(n: u8) -> String {
	format!("0x{}", hex::encode([n; 32]))
}

pub fn patient(account: &str) -> Value {
	json!({
		"resourceType": "Patient",
		"identifier": [{"system": "urn:healthchain:account", "value": account}],
		"name": [{"family": "Example", "given": ["Test"]}],
		"birthDate": "1970-01-01"
	})
}

pub fn lab_observation(patient_id: &str, value: f64) -> Value {
	json!({
		"resourceType": "Observation",
		"status": "final",
		"category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
		"code": {"coding": [{"system": "http://loinc.org", "code": "2339-0", "display": "Glucose"}]},
		"subject": {"reference": format!("Patient/{patient_id}")},
		"valueQuantity": {"value": value, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"}
	})
}
