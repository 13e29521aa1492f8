//! The chain client against a real dev node (`HEALTHCHAIN_NODE`): typed reads, a signed
//! `anchorMany` through the nonce-managed submitter, and the finalized-head follower across a
//! node restart.

use std::{
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

use healthchain_chain::{
	follow_finalized, healthchain, record_id_of, wait_in_block, AccountId32, AnchorOp, Chain,
	RecordKind, Scope, Signer, Submitter, H256,
};

struct Node(Child);
impl Drop for Node {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

fn free_port() -> u16 {
	std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn start_node(rpc_port: u16, base: &std::path::Path) -> Node {
	let bin = std::env::var("HEALTHCHAIN_NODE").expect(
		"HEALTHCHAIN_NODE must point at the healthchain-node binary (scripts/test sets it)",
	);
	let child = Command::new(bin)
		.args(["--dev", "--base-path"])
		.arg(base)
		.args(["--rpc-port", &rpc_port.to_string(), "--no-prometheus", "--no-telemetry"])
		.args(["--port", &free_port().to_string()])
		.stdout(Stdio::null())
		.stderr(Stdio::null())
		.spawn()
		.expect("start the node");
	let start = Instant::now();
	while std::net::TcpStream::connect(("127.0.0.1", rpc_port)).is_err() {
		assert!(start.elapsed() < Duration::from_secs(60), "the node's RPC did not open");
		std::thread::sleep(Duration::from_millis(100));
	}
	Node(child)
}

#[tokio::test]
async fn submit_read_and_follow_across_a_node_restart() {
	let port = free_port();
	let base = std::env::temp_dir().join(format!("hc-chain-test-{}-{port}", std::process::id()));
	let node = start_node(port, &base);
	let url = format!("ws://127.0.0.1:{port}");
	let chain = Chain::connect(&url).await.expect("connect");

	// Two anchorMany extrinsics in flight at once: the submitter numbers their nonces.
	let signer = Signer::from_suri("//Alice", None).expect("signer");
	let alice: AccountId32 = signer.organisation();
	let submitter = Submitter::new(signer);
	let mut progresses = Vec::new();
	let mut ids = Vec::new();
	for n in 0..2u8 {
		let local_id = [n + 1; 32];
		ids.push(record_id_of(&alice, &local_id));
		let ops = vec![AnchorOp::Anchor {
			local_id: H256(local_id),
			subject: AccountId32([9; 32]),
			digest: H256([n + 10; 32]),
			kind: RecordKind(2),
			scope: Scope::Labs,
		}];
		use healthchain::runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, healthchain_runtime::RuntimeCall,
			pallet_records::pallet::Call,
		};
		let payload = healthchain::tx().records().anchor_many(BoundedVec(ops.clone()));
		let call = || RuntimeCall::Records(Call::anchor_many { ops: BoundedVec(ops.clone()) });
		progresses.push(submitter.submit(&chain, &payload, call).await.expect("submitted"));
	}
	for p in progresses {
		let (_block, events) = wait_in_block(p, Duration::from_secs(60)).await.expect("in a block");
		let anchored: Vec<_> = events
			.find::<healthchain::records::events::RecordAnchored>()
			.collect::<Result<_, _>>()
			.expect("decodes");
		assert_eq!(anchored.len(), 1);
	}
	let (_, best) = chain.best_head().await.expect("best");
	for (n, id) in ids.iter().enumerate() {
		let entry = chain.record(best, *id).await.expect("read").expect("anchored");
		assert_eq!(entry.digest, H256([n as u8 + 10; 32]));
		assert_eq!(entry.author, alice);
	}

	// The follower reports finalized heads, keeps going while the node is down, and resumes.
	let mut heads = follow_finalized(url.clone(), Duration::from_millis(200));
	let (first, _) = tokio::time::timeout(Duration::from_secs(30), heads.recv())
		.await
		.expect("a finalized head")
		.expect("open");
	drop(node);
	tokio::time::sleep(Duration::from_secs(1)).await;
	let _node = start_node(port, &base);
	let deadline = Instant::now() + Duration::from_secs(60);
	let mut after = first;
	while after <= first + 2 {
		let left = deadline.saturating_duration_since(Instant::now());
		let (n, _) = tokio::time::timeout(left, heads.recv())
			.await
			.expect("finalized heads after the restart")
			.expect("open");
		after = n;
	}
	assert!(after > first + 2, "the follower resumed after the node restarted");
	let _ = std::fs::remove_dir_all(&base);
}
