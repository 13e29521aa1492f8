//! Helpers for the node-level tests: start `healthchain-node` processes on free loopback
//! ports, talk JSON-RPC over plain HTTP, stop them with SIGINT and always clean up.

#![allow(dead_code)]

use std::{
	io::{Read, Write},
	net::{TcpListener, TcpStream},
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	time::{Duration, Instant},
};

/// Path of the node binary cargo built for these tests.
pub fn node_binary() -> &'static str {
	env!("CARGO_BIN_EXE_healthchain-node")
}

/// A free TCP port on 127.0.0.1 (the OS picks it; we release it right away).
pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0")
		.and_then(|l| l.local_addr())
		.map(|a| a.port())
		.expect("an ephemeral port is available on loopback")
}

/// A fresh, empty directory for one test, removed by [`TempDir`]'s `Drop`.
pub struct TempDir(pub PathBuf);

impl TempDir {
	pub fn new(tag: &str) -> Self {
		let nanos = std::time::SystemTime::now()
			.duration_since(std::time::UNIX_EPOCH)
			.map(|d| d.as_nanos())
			.unwrap_or(0);
		let dir = std::env::temp_dir()
			.join(format!("healthchain-test-{tag}-{}-{nanos}", std::process::id()));
		std::fs::create_dir_all(&dir).expect("temp dir can be created");
		Self(dir)
	}
	pub fn path(&self) -> &Path {
		&self.0
	}
}

impl Drop for TempDir {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}

/// A running node. Dropping it kills the process if a test did not stop it.
pub struct Node {
	pub name: String,
	pub child: Option<Child>,
	pub rpc_port: u16,
	pub p2p_port: u16,
	pub log: PathBuf,
}

/// Options for one node process.
pub struct NodeSpec<'a> {
	pub name: &'a str,
	pub args: Vec<String>,
	pub base_path: Option<&'a Path>,
	pub log_dir: &'a Path,
	pub p2p_port: Option<u16>,
	pub prometheus_port: Option<u16>,
}

impl Node {
	pub fn start(spec: NodeSpec<'_>) -> Node {
		let rpc_port = free_port();
		let p2p_port = spec.p2p_port.unwrap_or_else(free_port);
		let log = spec.log_dir.join(format!("{}.log", spec.name));
		let log_file = std::fs::File::create(&log).expect("log file can be created");
		let mut cmd = Command::new(node_binary());
		cmd.args(&spec.args)
			.arg("--rpc-port")
			.arg(rpc_port.to_string())
			.arg("--no-mdns")
			.arg("--no-telemetry")
			.arg("--listen-addr")
			.arg(format!("/ip4/127.0.0.1/tcp/{p2p_port}"));
		match spec.prometheus_port {
			Some(p) => {
				cmd.arg("--prometheus-port").arg(p.to_string());
			}
			None => {
				cmd.arg("--no-prometheus");
			}
		}
		match spec.base_path {
			Some(p) => {
				cmd.arg("--base-path").arg(p);
			}
			None => {
				cmd.arg("--tmp");
			}
		}
		let child = cmd
			.stdin(Stdio::null())
			.stdout(log_file.try_clone().expect("clone log handle"))
			.stderr(log_file)
			.spawn()
			.expect("healthchain-node starts");
		Node { name: spec.name.to_string(), child: Some(child), rpc_port, p2p_port, log }
	}

	/// One JSON-RPC call; `None` while the server is not up or on any transport error.
	pub fn rpc(&self, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
		rpc_call(self.rpc_port, method, params)
	}

	/// Wait until `check` returns `Some`, polling every 500 ms, at most `timeout`.
	pub fn wait_for<T>(
		&mut self,
		what: &str,
		timeout: Duration,
		mut check: impl FnMut(&Node) -> Option<T>,
	) -> T {
		let start = Instant::now();
		loop {
			if let Some(v) = check(self) {
				return v;
			}
			if let Some(child) = self.child.as_mut() {
				if let Ok(Some(status)) = child.try_wait() {
					panic!(
						"{}: exited with {status} while waiting for {what}; log:\n{}",
						self.name,
						self.log_tail()
					);
				}
			}
			if start.elapsed() > timeout {
				panic!(
					"{}: timed out after {timeout:?} waiting for {what}; log:\n{}",
					self.name,
					self.log_tail()
				);
			}
			std::thread::sleep(Duration::from_millis(500));
		}
	}

	pub fn best_number(&self) -> Option<u64> {
		let header = self.rpc("chain_getHeader", serde_json::json!([]))?;
		hex_number(header.get("number")?)
	}

	pub fn finalized_number(&self) -> Option<u64> {
		let hash = self.rpc("chain_getFinalizedHead", serde_json::json!([]))?;
		let header = self.rpc("chain_getHeader", serde_json::json!([hash]))?;
		hex_number(header.get("number")?)
	}

	pub fn peers(&self) -> Option<u64> {
		self.rpc("system_health", serde_json::json!([]))?.get("peers")?.as_u64()
	}

	pub fn peer_id(&self) -> Option<String> {
		self.rpc("system_localPeerId", serde_json::json!([]))?.as_str().map(str::to_string)
	}

	/// Stop with SIGINT (what Ctrl-C sends) and wait for the process to exit.
	pub fn stop(&mut self, timeout: Duration) -> ExitStatus {
		let mut child = self.child.take().expect("node is running");
		let _ = Command::new("kill").arg("-INT").arg(child.id().to_string()).status();
		let start = Instant::now();
		loop {
			if let Ok(Some(status)) = child.try_wait() {
				return status;
			}
			if start.elapsed() > timeout {
				let _ = child.kill();
				let _ = child.wait();
				panic!(
					"{}: did not shut down within {timeout:?}; log:\n{}",
					self.name,
					self.log_tail()
				);
			}
			std::thread::sleep(Duration::from_millis(200));
		}
	}

	pub fn log_tail(&self) -> String {
		let text = std::fs::read_to_string(&self.log).unwrap_or_default();
		let lines: Vec<&str> = text.lines().collect();
		lines[lines.len().saturating_sub(40)..].join("\n")
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
	}
}

/// Parse a JSON hex string (`"0x1a"`) into a number.
pub fn hex_number(v: &serde_json::Value) -> Option<u64> {
	u64::from_str_radix(v.as_str()?.trim_start_matches("0x"), 16).ok()
}

/// A JSON-RPC 2.0 call over HTTP/1.1 to 127.0.0.1:`port` (the node serves HTTP and WS on the
/// same port). Returns `result`, or `None` on any error (server not up yet, RPC error).
pub fn rpc_call(port: u16, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
	let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
		.to_string();
	let text = http(port, "POST", "/", Some(&body))?;
	let v: serde_json::Value = serde_json::from_str(&text).ok()?;
	v.get("result").cloned()
}

/// A plain HTTP request to 127.0.0.1:`port`; returns the body on a 200 answer.
pub fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> Option<String> {
	let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
	stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
	let body = body.unwrap_or("");
	let req = format!(
		"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
		 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	);
	stream.write_all(req.as_bytes()).ok()?;
	let mut resp = String::new();
	stream.read_to_string(&mut resp).ok()?;
	let (head, rest) = resp.split_once("\r\n\r\n")?;
	if !head.starts_with("HTTP/1.1 200") {
		return None;
	}
	if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
		Some(dechunk(rest))
	} else {
		Some(rest.to_string())
	}
}

fn dechunk(mut s: &str) -> String {
	let mut out = String::new();
	while let Some((size, rest)) = s.split_once("\r\n") {
		let Ok(n) = usize::from_str_radix(size.trim(), 16) else { break };
		if n == 0 || rest.len() < n {
			break;
		}
		out.push_str(&rest[..n]);
		s = rest[n..].trim_start_matches("\r\n");
	}
	out
}
