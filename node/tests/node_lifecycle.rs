//! Node-level tests on the real `healthchain-node` binary: block production and finality on a
//! dev node, a 3-validator local network, persistence across a restart, chain properties,
//! Prometheus and the chain-spec subcommand. Loopback only, random free ports, every wait
//! bounded; processes are stopped (or killed on failure) and temp dirs removed.

mod common;

use common::{http, Node, NodeSpec, TempDir};
use std::{process::Command, sync::Mutex, time::Duration};

/// The tests start several nodes each; running them one at a time keeps a 2-core machine
/// from starving block production and makes the timings meaningful.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
	SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Generous bound for anything that should take a few 6 s slots.
const BLOCKS_TIMEOUT: Duration = Duration::from_secs(180);

#[test]
fn dev_node_produces_and_finalizes_blocks_then_shuts_down_cleanly() {
	let _guard = serial();
	let logs = TempDir::new("dev-logs");
	let prometheus_port = common::free_port();
	let mut node = Node::start(NodeSpec {
		name: "dev",
		args: vec!["--dev".into()],
		base_path: None,
		log_dir: logs.path(),
		p2p_port: None,
		prometheus_port: Some(prometheus_port),
	});

	let best =
		node.wait_for("best block >= 3", BLOCKS_TIMEOUT, |n| n.best_number().filter(|b| *b >= 3));
	let finalized = node.wait_for("finalized block >= 1", BLOCKS_TIMEOUT, |n| {
		n.finalized_number().filter(|f| *f >= 1)
	});
	assert!(best >= 3 && finalized >= 1);

	// Wallet-facing chain properties come from the chain spec.
	let props = node.rpc("system_properties", serde_json::json!([])).expect("system_properties");
	assert_eq!(props["tokenSymbol"], "HLTH");
	assert_eq!(props["tokenDecimals"], 12);
	assert_eq!(props["ss58Format"], 7373);
	let chain = node.rpc("system_chain", serde_json::json!([])).expect("system_chain");
	assert_eq!(chain, "Healthchain Development");
	let version = node.rpc("state_getRuntimeVersion", serde_json::json!([])).expect("version");
	assert_eq!(version["specName"], "healthchain");

	// The RPC extensions are wired: nonce and fee queries answer.
	let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	let nonce = node.rpc("system_accountNextIndex", serde_json::json!([alice]));
	assert_eq!(nonce, Some(serde_json::json!(0)));

	// Prometheus metrics are on.
	let metrics = http(prometheus_port, "GET", "/metrics", None).expect("prometheus answers");
	assert!(metrics.contains("substrate_block_height"), "block height metric exported");

	let status = node.stop(Duration::from_secs(60));
	assert!(status.success(), "clean shutdown on SIGINT, got {status}; log:\n{}", node.log_tail());
}

#[test]
fn three_validator_local_network_connects_and_finalizes_on_every_node() {
	let _guard = serial();
	let dir = TempDir::new("local-net");
	// Validators on a non-dev chain refuse to invent a network key: give each a fixed one.
	let spec = |name: &str| -> Vec<String> {
		let index = match name {
			"alice" => 1,
			"bob" => 2,
			_ => 3,
		};
		vec![
			"--chain".into(),
			"local".into(),
			format!("--{name}"),
			"--validator".into(),
			"--node-key".into(),
			format!("{index:064x}"),
		]
	};

	let alice_base = dir.path().join("alice");
	let mut alice = Node::start(NodeSpec {
		name: "alice",
		args: spec("alice"),
		base_path: Some(&alice_base),
		log_dir: dir.path(),
		p2p_port: None,
		prometheus_port: None,
	});
	let alice_id = alice.wait_for("alice's peer id", BLOCKS_TIMEOUT, |n| n.peer_id());
	let bootnode = format!("/ip4/127.0.0.1/tcp/{}/p2p/{alice_id}", alice.p2p_port);

	let mut others = Vec::new();
	for name in ["bob", "charlie"] {
		let base = dir.path().join(name);
		let mut args = spec(name);
		args.push("--bootnodes".into());
		args.push(bootnode.clone());
		others.push(Node::start(NodeSpec {
			name,
			args,
			base_path: Some(&base),
			log_dir: dir.path(),
			p2p_port: None,
			prometheus_port: None,
		}));
	}

	let mut nodes = vec![alice];
	nodes.extend(others);
	for node in nodes.iter_mut() {
		let peers = node.wait_for("2 peers", BLOCKS_TIMEOUT, |n| n.peers().filter(|p| *p >= 2));
		assert!(peers >= 2);
	}
	for node in nodes.iter_mut() {
		let f = node.wait_for("finalized >= 2", BLOCKS_TIMEOUT, |n| {
			n.finalized_number().filter(|f| *f >= 2)
		});
		assert!(f >= 2, "{} finalized {f}", node.name);
	}
	// All three agree on the block at the height every one of them has finalized.
	let hashes: Vec<serde_json::Value> = nodes
		.iter()
		.map(|n| n.rpc("chain_getBlockHash", serde_json::json!([2])).expect("block 2 hash"))
		.collect();
	assert!(hashes.windows(2).all(|w| w[0] == w[1]), "nodes disagree on block 2: {hashes:?}");

	for node in nodes.iter_mut() {
		let status = node.stop(Duration::from_secs(60));
		assert!(status.success(), "{} shut down with {status}", node.name);
	}
}

#[test]
fn restarting_a_dev_node_on_the_same_base_path_keeps_its_chain() {
	let _guard = serial();
	let dir = TempDir::new("restart");
	let base = dir.path().join("node");
	let start = |logname: &str| {
		Node::start(NodeSpec {
			name: logname,
			args: vec!["--dev".into()],
			base_path: Some(&base),
			log_dir: dir.path(),
			p2p_port: None,
			prometheus_port: None,
		})
	};

	let mut first = start("first-run");
	let before =
		first.wait_for("best >= 3", BLOCKS_TIMEOUT, |n| n.best_number().filter(|b| *b >= 3));
	let hash_before = first.rpc("chain_getBlockHash", serde_json::json!([before])).expect("hash");
	// Let the node settle on its final best block, then stop it.
	let status = first.stop(Duration::from_secs(60));
	assert!(status.success(), "first run shut down with {status}");

	let mut second = start("second-run");
	let after = second.wait_for("RPC up after restart", BLOCKS_TIMEOUT, |n| n.best_number());
	assert!(after >= before, "best block after restart {after} < before {before}: data lost");
	let hash_after = second.rpc("chain_getBlockHash", serde_json::json!([before])).expect("hash");
	assert_eq!(hash_before, hash_after, "block #{before} changed across the restart");
	// And the chain continues from there.
	second.wait_for("a new block after restart", BLOCKS_TIMEOUT, |n| {
		n.best_number().filter(|b| *b > before)
	});
	let status = second.stop(Duration::from_secs(60));
	assert!(status.success(), "second run shut down with {status}");
}

#[test]
fn build_spec_exports_presets_with_properties_and_a_sudo_free_consortium_template() {
	let _guard = serial();
	let out = Command::new(common::node_binary())
		.args(["build-spec", "--chain", "consortium-template"])
		.output()
		.expect("build-spec runs");
	assert!(out.status.success(), "build-spec failed: {}", String::from_utf8_lossy(&out.stderr));
	let spec: serde_json::Value = serde_json::from_slice(&out.stdout).expect("spec is JSON");
	assert_eq!(spec["id"], "healthchain_consortium");
	assert_eq!(spec["properties"]["tokenSymbol"], "HLTH");
	let patch = &spec["genesis"]["runtimeGenesis"]["patch"];
	assert!(patch["sudo"]["key"].is_null(), "consortium template must not key sudo: {patch}");
	// Validators come from the validator set and their keys from the session pallet; Aura and
	// GRANDPA get them from the session pallet at genesis.
	assert_eq!(patch["validatorSet"]["initialValidators"].as_array().map(|a| a.len()), Some(4));
	// One hour of 3 s blocks.
	assert_eq!(patch["validatorSet"]["sessionLength"], 1200);
	assert_eq!(patch["session"]["keys"].as_array().map(|a| a.len()), Some(4));

	let raw = Command::new(common::node_binary())
		.args(["build-spec", "--chain", "local", "--raw"])
		.output()
		.expect("build-spec --raw runs");
	assert!(raw.status.success());
	let raw: serde_json::Value = serde_json::from_slice(&raw.stdout).expect("raw spec is JSON");
	assert!(raw["genesis"]["raw"]["top"].is_object(), "raw spec has a storage map");

	let bad = Command::new(common::node_binary())
		.args(["build-spec", "--chain", "/nonexistent/spec.json"])
		.output()
		.expect("build-spec runs");
	assert!(!bad.status.success(), "an unknown chain spec path must fail");
}
