//! Helpers for the node-level tests: start `healthchain-node` processes on free loopback
//! ports, talk JSON-RPC over plain HTTP, stop them with SIGINT and always clean up.

#![allow(dead_code)]

use healthchain_runtime::{self as runtime, RuntimeCall};
use sp_core::{Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{codec::Encode, generic::Era};
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
		// Accounts print in the chain's SS58 format, as the node answers them.
		sp_core::crypto::set_default_ss58_version(sp_core::crypto::Ss58AddressFormat::custom(
			healthchain_runtime::SS58_PREFIX,
		));
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

// ---- signed extrinsics ----

pub fn hex(bytes: &[u8]) -> String {
	let mut s = String::from("0x");
	for b in bytes {
		s.push_str(&format!("{b:02x}"));
	}
	s
}

pub fn h256(v: &serde_json::Value) -> H256 {
	let s = v.as_str().expect("hex string").trim_start_matches("0x");
	let mut out = [0u8; 32];
	for (i, chunk) in s.as_bytes().chunks(2).enumerate().take(32) {
		out[i] = u8::from_str_radix(std::str::from_utf8(chunk).expect("ascii"), 16).expect("hex");
	}
	H256(out)
}

/// Sign `call` as `signer` with every transaction extension of the runtime (immortal era).
pub fn signed(node: &Node, signer: Sr25519Keyring, call: RuntimeCall) -> String {
	let genesis = h256(&node.rpc("chain_getBlockHash", serde_json::json!([0])).expect("genesis"));
	let nonce = node
		.rpc("system_accountNextIndex", serde_json::json!([signer.to_account_id().to_string()]))
		.and_then(|n| n.as_u64())
		.expect("nonce") as u32;
	let payload = runtime::signed_payload(call.clone(), nonce, Era::Immortal, genesis, genesis);
	let signature = payload.using_encoded(|e| signer.pair().sign(e));
	let xt = runtime::UncheckedExtrinsic::new_signed(
		call,
		signer.to_account_id().into(),
		runtime::Signature::Sr25519(signature),
		runtime::tx_extension(nonce, Era::Immortal),
	);
	hex(&xt.encode())
}

pub fn submit(node: &Node, signer: Sr25519Keyring, call: RuntimeCall) {
	let xt = signed(node, signer, call);
	let res = node.rpc("author_submitExtrinsic", serde_json::json!([xt]));
	assert!(res.is_some(), "extrinsic accepted by the pool; log:\n{}", node.log_tail());
}

/// Bytes of a 0x-prefixed hex JSON string.
pub fn unhex(v: &serde_json::Value) -> Vec<u8> {
	let s = v.as_str().expect("hex string").trim_start_matches("0x");
	(0..s.len() / 2)
		.map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex digit pair"))
		.collect()
}

// ---- events ----

/// What a block's events say, decoded with the runtime's own types.
pub type EventRecord = frame_system::EventRecord<runtime::RuntimeEvent, H256>;

/// The events of block `number` (from `System::Events` at that block); empty if the block is
/// not there yet.
pub fn events_at(node: &Node, number: u64) -> Vec<EventRecord> {
	use sp_runtime::codec::Decode;
	let Some(hash) = node.rpc("chain_getBlockHash", serde_json::json!([number])) else {
		return Vec::new();
	};
	if hash.is_null() {
		return Vec::new();
	}
	let key = [sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat();
	match node.rpc("state_getStorage", serde_json::json!([hex(&key), hash])) {
		Some(v) if !v.is_null() => {
			Vec::<EventRecord>::decode(&mut &unhex(&v)[..]).expect("events decode")
		}
		_ => Vec::new(),
	}
}

/// Scan blocks from `from` on until an event matches `pred`; returns its block number and the
/// event. Panics after `timeout`.
pub fn wait_for_event(
	node: &mut Node,
	from: u64,
	timeout: Duration,
	what: &str,
	mut pred: impl FnMut(&runtime::RuntimeEvent) -> bool,
) -> (u64, runtime::RuntimeEvent) {
	let mut next = from;
	node.wait_for(what, timeout, |n| {
		let best = n.best_number()?;
		while next <= best {
			if let Some(r) = events_at(n, next).into_iter().find(|r| pred(&r.event)) {
				return Some((next, r.event));
			}
			next += 1;
		}
		None
	})
}

/// Wait until the finalized block is at least `number` (the `records_*`, `consent_*` and
/// `claims_*` RPCs answer at the finalized block when no `at` is given).
pub fn wait_finalized(node: &mut Node, number: u64, timeout: Duration) -> u64 {
	node.wait_for(&format!("block {number} finalized"), timeout, |n| {
		n.finalized_number().filter(|f| *f >= number)
	})
}

/// The on-chain id of the record `author` anchors under `local_id` (`records.anchor` derives it
/// from the signer: blake2-256 of "healthchain/record", the author's account and `local_id`).
pub fn record_id(author: Sr25519Keyring, local_id: H256) -> H256 {
	pallet_records::record_id_of(&author.to_account_id(), &local_id)
}

/// The dispatch error of a failed extrinsic event, if `e` is one.
pub fn failed_with(e: &runtime::RuntimeEvent) -> Option<sp_runtime::DispatchError> {
	match e {
		runtime::RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
			dispatch_error,
			..
		}) => Some(*dispatch_error),
		_ => None,
	}
}

/// An account's balances (free, reserved/held, frozen) at the best block.
pub fn balances(node: &Node, who: &sp_runtime::AccountId32) -> pallet_balances::AccountData<u128> {
	use sp_runtime::codec::Decode;
	let key = [
		sp_io::hashing::twox_128(b"System").as_slice(),
		sp_io::hashing::twox_128(b"Account").as_slice(),
		sp_io::hashing::blake2_128(who.as_ref()).as_slice(),
		who.as_ref(),
	]
	.concat();
	let v = node.rpc("state_getStorage", serde_json::json!([hex(&key)])).expect("storage");
	let info = frame_system::AccountInfo::<u32, pallet_balances::AccountData<u128>>::decode(
		&mut &unhex(&v)[..],
	)
	.expect("account info decodes");
	info.data
}
