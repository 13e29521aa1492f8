//! End-to-end test of the records pallet on a running dev node: real signed extrinsics
//! (`records.anchor`, `amend`, `retract`, `anchorBatch`, governance's `forceRetract`) and the
//! `records_*` RPCs, including a Merkle batch built by the `healthchain-digest` CLI when
//! `HEALTHCHAIN_DIGEST_BIN` points to it (scripts/test sets it), else by the same
//! `binary-merkle-tree` calls in-process. Record ids are derived from the author
//! (`record_id_of(author, local_id)`): another organisation anchoring the same local id gets
//! its own record, never the first one. The RPCs answer at the finalized block.

mod common;

use common::{
	failed_with, h256, hex, record_id, submit, wait_finalized, wait_for_event, Node, NodeSpec,
	TempDir,
};
use healthchain_primitives::Scope;
use healthchain_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use pallet_records::Event as RecordsEvent;
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::BlakeTwo256;
use std::{process::Command, time::Duration};

const TIMEOUT: Duration = Duration::from_secs(120);

fn digest(n: u8) -> H256 {
	<BlakeTwo256 as sp_runtime::traits::Hash>::hash(&[b"salted record ".as_slice(), &[n]].concat())
}

fn verify(node: &Node, record: H256, d: H256) -> serde_json::Value {
	node.rpc("records_verify", serde_json::json!([hex(record.as_bytes()), hex(d.as_bytes())]))
		.expect("records_verify answers")
}

#[test]
fn records_anchor_amend_retract_and_batch_through_rpc() {
	let logs = TempDir::new("records-rpc");
	let mut node = Node::start(NodeSpec {
		name: "records-dev",
		args: vec!["--dev".into()],
		base_path: None,
		log_dir: logs.path(),
		p2p_port: None,
		prometheus_port: None,
	});
	node.wait_for("best block >= 1", TIMEOUT, |n| n.best_number().filter(|b| *b >= 1));

	// Alice's own key for the record; its on-chain id is derived from her account.
	let local = H256::repeat_byte(0x42);
	let record = record_id(Sr25519Keyring::Alice, local);
	assert_ne!(record, local);
	// The same vector as the SDK's unit test (sdk/js/test/helpers.test.mjs), so the
	// client's `recordIdOf` and the runtime's `record_id_of` cannot drift apart.
	assert_eq!(
		hex(record.as_bytes()),
		"0x66b59d0a01856e5556ca3205740814c56261a8b9a06f3ad53c39aa006bc32aa2"
	);
	let patient = Sr25519Keyring::Dave.to_account_id();
	assert_eq!(verify(&node, record, digest(1)), serde_json::json!({"status": "unknown"}));
	assert_eq!(
		node.rpc("records_get", serde_json::json!([hex(record.as_bytes())])),
		Some(serde_json::Value::Null)
	);

	// Alice is a hospital in the dev preset. The event names the derived id and the scope.
	let from = node.best_number().expect("best") + 1;
	submit(
		&node,
		Sr25519Keyring::Alice,
		RuntimeCall::Records(pallet_records::Call::anchor {
			local_id: local,
			subject: patient.clone(),
			digest: digest(1),
			kind: pallet_records::RecordKind(2),
			scope: Scope::Labs,
		}),
	);
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "RecordAnchored", |e| {
		matches!(e, RuntimeEvent::Records(RecordsEvent::RecordAnchored { .. }))
	});
	assert_eq!(
		e,
		RuntimeEvent::Records(RecordsEvent::RecordAnchored {
			record_id: record,
			subject: patient.clone(),
			author: Sr25519Keyring::Alice.to_account_id(),
			kind: pallet_records::RecordKind(2),
			scope: Scope::Labs,
			digest: digest(1),
		})
	);
	node.wait_for("anchored record verifies", TIMEOUT, |n| {
		(verify(n, record, digest(1)) == serde_json::json!({"status": "valid", "version": 1}))
			.then_some(())
	});
	// Nothing was stored under the local id itself.
	assert_eq!(verify(&node, local, digest(1)), serde_json::json!({"status": "unknown"}));
	let got = node.rpc("records_get", serde_json::json!([hex(record.as_bytes())])).expect("get");
	assert_eq!(got["recordId"], hex(record.as_bytes()));
	assert_eq!(got["versions"], 1);
	assert_eq!(got["kind"], 2);
	assert_eq!(got["scope"], "labs");
	assert_eq!(got["author"], Sr25519Keyring::Alice.to_account_id().to_string());
	assert_eq!(got["status"], "active");
	assert_eq!(h256(&got["latest"]["digest"]), digest(1));

	// Bob anchors under the same local id (what a front-runner copying Alice's pending anchor
	// would do): it succeeds, but as Bob's own record under another id; Alice's is untouched.
	let bobs = record_id(Sr25519Keyring::Bob, local);
	assert_ne!(bobs, record);
	submit(
		&node,
		Sr25519Keyring::Bob,
		RuntimeCall::Records(pallet_records::Call::anchor {
			local_id: local,
			subject: patient.clone(),
			digest: digest(7),
			kind: pallet_records::RecordKind(2),
			scope: Scope::MentalHealth,
		}),
	);
	let got = node.wait_for("Bob's record under its own id", TIMEOUT, |n| {
		n.rpc("records_get", serde_json::json!([hex(bobs.as_bytes())])).filter(|g| !g.is_null())
	});
	assert_eq!(got["author"], Sr25519Keyring::Bob.to_account_id().to_string());
	assert_eq!(got["scope"], "mentalHealth");
	assert_eq!(h256(&got["latest"]["digest"]), digest(7));
	let alices = node.rpc("records_get", serde_json::json!([hex(record.as_bytes())])).expect("get");
	assert_eq!(alices["author"], Sr25519Keyring::Alice.to_account_id().to_string());
	assert_eq!(h256(&alices["latest"]["digest"]), digest(1));

	// Dave is no provider: his anchor is included but fails; nothing is stored.
	let other_local = H256::repeat_byte(0x43);
	let other = record_id(Sr25519Keyring::Dave, other_local);
	let from = node.best_number().expect("best") + 1;
	submit(
		&node,
		Sr25519Keyring::Dave,
		RuntimeCall::Records(pallet_records::Call::anchor {
			local_id: other_local,
			subject: patient.clone(),
			digest: digest(9),
			kind: pallet_records::RecordKind(2),
			scope: Scope::Clinical,
		}),
	);
	let (failed_at, e) = wait_for_event(&mut node, from, TIMEOUT, "Dave's anchor fails", |e| {
		failed_with(e).is_some()
	});
	assert_eq!(
		failed_with(&e),
		Some(pallet_records::Error::<Runtime>::NotActiveProvider.into()),
		"a non-provider's anchor fails with NotActiveProvider"
	);

	// Amend, then the first digest is superseded.
	submit(
		&node,
		Sr25519Keyring::Alice,
		RuntimeCall::Records(pallet_records::Call::amend { record_id: record, digest: digest(2) }),
	);
	node.wait_for("amended version verifies", TIMEOUT, |n| {
		(verify(n, record, digest(2)) == serde_json::json!({"status": "valid", "version": 2}))
			.then_some(())
	});
	assert_eq!(
		verify(&node, record, digest(1)),
		serde_json::json!({"status": "superseded", "version": 1, "latest": 2})
	);
	let history =
		node.rpc("records_history", serde_json::json!([hex(record.as_bytes())])).expect("history");
	assert_eq!(history.as_array().map(|a| a.len()), Some(2));
	// Dave's failed anchor left no record (his nonce advanced: the extrinsic was included).
	wait_finalized(&mut node, failed_at, TIMEOUT);
	assert_eq!(
		node.rpc("records_get", serde_json::json!([hex(other.as_bytes())])),
		Some(serde_json::Value::Null)
	);
	assert_eq!(
		node.rpc(
			"system_accountNextIndex",
			serde_json::json!([Sr25519Keyring::Dave.to_account_id().to_string()])
		),
		Some(serde_json::json!(1))
	);

	// A Merkle batch: from the CLI when available, else in-process with the same crate.
	let (root, leaves, proofs) = build_batch(logs.path());
	submit(
		&node,
		Sr25519Keyring::Bob, // Bob is a clinic and lab
		RuntimeCall::Records(pallet_records::Call::anchor_batch {
			root,
			leaf_count: leaves.len() as u32,
		}),
	);
	node.wait_for("batch 0 anchored", TIMEOUT, |n| {
		n.rpc("records_batch", serde_json::json!([0])).filter(|b| !b.is_null())
	});
	let batch = node.rpc("records_batch", serde_json::json!([0])).expect("batch");
	assert_eq!(h256(&batch["root"]), root);
	assert_eq!(batch["leafCount"], leaves.len());
	for (i, (leaf, proof)) in leaves.iter().zip(proofs.iter()).enumerate() {
		let args = |leaf: H256, index: usize, proof: &Vec<H256>| {
			serde_json::json!([
				0,
				hex(leaf.as_bytes()),
				index,
				proof.iter().map(|p| hex(p.as_bytes())).collect::<Vec<_>>()
			])
		};
		assert_eq!(
			node.rpc("records_verifyInclusion", args(*leaf, i, proof)),
			Some(serde_json::json!(true)),
			"leaf {i}"
		);
		assert_eq!(
			node.rpc("records_verifyInclusion", args(digest(200), i, proof)),
			Some(serde_json::json!(false))
		);
		let mut bad = proof.clone();
		if let Some(first) = bad.first_mut() {
			first.0[0] ^= 1;
			assert_eq!(
				node.rpc("records_verifyInclusion", args(*leaf, i, &bad)),
				Some(serde_json::json!(false))
			);
		}
	}

	// The CLI checks files and proofs against this node.
	if let Ok(bin) = std::env::var("HEALTHCHAIN_DIGEST_BIN") {
		cli_verifies_against_the_node(&node, &bin, logs.path());
	}

	// Retract: a tombstone.
	submit(
		&node,
		Sr25519Keyring::Alice,
		RuntimeCall::Records(pallet_records::Call::retract {
			record_id: record,
			reason: pallet_records::RetractReason::PatientRequest,
		}),
	);
	node.wait_for("retracted", TIMEOUT, |n| {
		(verify(n, record, digest(2)) == serde_json::json!({"status": "retracted"})).then_some(())
	});
	let got = node.rpc("records_get", serde_json::json!([hex(record.as_bytes())])).expect("get");
	assert_eq!(got["status"], "retracted");
	assert_eq!(got["retraction"]["reason"], "patientRequest");

	// Governance (root: Alice is sudo in the dev preset) retracts Bob's record: the same
	// tombstone, with its own event.
	let from = node.best_number().expect("best") + 1;
	submit(
		&node,
		Sr25519Keyring::Alice,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo {
			call: Box::new(RuntimeCall::Records(pallet_records::Call::force_retract {
				record_id: bobs,
				reason: pallet_records::RetractReason::EnteredInError,
			})),
		}),
	);
	wait_for_event(&mut node, from, TIMEOUT, "RecordForceRetracted", |e| {
		e == &RuntimeEvent::Records(RecordsEvent::RecordForceRetracted {
			record_id: bobs,
			reason: pallet_records::RetractReason::EnteredInError,
		})
	});
	node.wait_for("Bob's record retracted by governance", TIMEOUT, |n| {
		(verify(n, bobs, digest(7)) == serde_json::json!({"status": "retracted"})).then_some(())
	});
	let got = node.rpc("records_get", serde_json::json!([hex(bobs.as_bytes())])).expect("get");
	assert_eq!(got["retraction"]["reason"], "enteredInError");
	// Not by a provider, even the author: BadOrigin.
	let from = node.best_number().expect("best") + 1;
	submit(
		&node,
		Sr25519Keyring::Bob,
		RuntimeCall::Records(pallet_records::Call::force_retract {
			record_id: bobs,
			reason: pallet_records::RetractReason::Other,
		}),
	);
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "Bob's forceRetract fails", |e| {
		failed_with(e).is_some()
	});
	assert_eq!(failed_with(&e), Some(sp_runtime::DispatchError::BadOrigin));

	// Malformed input is an RPC error, not a crash.
	assert_eq!(node.rpc("records_verify", serde_json::json!(["0x1234", "0x00"])), None);

	let status = node.stop(Duration::from_secs(60));
	assert!(status.success());
}

/// `healthchain-digest digest` a file, anchor the digest, then `verify` the file (valid), a
/// changed copy (not valid, exit code 2) and `verify-proof` a proof of batch 0.
fn cli_verifies_against_the_node(node: &Node, bin: &str, tmp: &std::path::Path) {
	let salt = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
	let url = format!("ws://127.0.0.1:{}", node.rpc_port);
	let file = tmp.join("cli-record.json");
	std::fs::write(&file, br#"{"resourceType":"Observation","id":"cli","status":"final"}"#)
		.expect("w");
	let out =
		Command::new(bin).arg("digest").arg(&file).args(["--salt", salt]).output().expect("runs");
	assert!(out.status.success());
	let digest = h256(&serde_json::Value::String(
		String::from_utf8(out.stdout).expect("utf8").trim().into(),
	));
	let local = H256::repeat_byte(0x77);
	let record = record_id(Sr25519Keyring::Alice, local);
	submit(
		node,
		Sr25519Keyring::Alice,
		RuntimeCall::Records(pallet_records::Call::anchor {
			local_id: local,
			subject: Sr25519Keyring::Eve.to_account_id(),
			digest,
			kind: pallet_records::RecordKind(2),
			scope: Scope::Labs,
		}),
	);
	let start = std::time::Instant::now();
	while verify(node, record, digest) != serde_json::json!({"status": "valid", "version": 1}) {
		assert!(
			start.elapsed() < TIMEOUT,
			"CLI digest not anchored in time; log:\n{}",
			node.log_tail()
		);
		std::thread::sleep(Duration::from_millis(500));
	}
	let verify_cli = |path: &std::path::Path| {
		Command::new(bin)
			.arg("verify")
			.arg(path)
			.args(["--salt", salt, "--record-id", &hex(record.as_bytes()), "--url", &url])
			.output()
			.expect("runs")
	};
	let ok = verify_cli(&file);
	assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
	assert!(String::from_utf8_lossy(&ok.stdout).contains(r#""status":"valid""#));
	// Same content, other key order and whitespace: still valid (RFC 8785).
	let reordered = tmp.join("cli-record-reordered.json");
	std::fs::write(
		&reordered,
		b"{ \"status\" : \"final\", \"id\" : \"cli\", \"resourceType\" : \"Observation\" }",
	)
	.expect("w");
	assert_eq!(verify_cli(&reordered).status.code(), Some(0));
	// Changed content: not valid.
	let changed = tmp.join("cli-record-changed.json");
	std::fs::write(&changed, br#"{"resourceType":"Observation","id":"cli","status":"amended"}"#)
		.expect("w");
	let bad = verify_cli(&changed);
	assert_eq!(bad.status.code(), Some(2));
	assert!(String::from_utf8_lossy(&bad.stdout).contains(r#""status":"unknown""#));
	// A proof file of batch 0, as written by `batch` in build_batch.
	let proof = tmp.join("batch-in/.batch/proofs/a.json.proof.json");
	let included = Command::new(bin)
		.arg("verify-proof")
		.arg(&proof)
		.args(["--batch-id", "0", "--url", &url])
		.output()
		.expect("runs");
	assert_eq!(included.status.code(), Some(0), "{}", String::from_utf8_lossy(&included.stderr));
	let not_in_batch_1 = Command::new(bin)
		.arg("verify-proof")
		.arg(&proof)
		.args(["--batch-id", "1", "--url", &url])
		.output()
		.expect("runs");
	assert_eq!(not_in_batch_1.status.code(), Some(2));
}

/// Leaves and proofs of a batch over three records. With the CLI, its files are written to a
/// temp dir and `healthchain-digest batch` builds root and proofs.
fn build_batch(tmp: &std::path::Path) -> (H256, Vec<H256>, Vec<Vec<H256>>) {
	if let Ok(bin) = std::env::var("HEALTHCHAIN_DIGEST_BIN") {
		let dir = tmp.join("batch-in");
		std::fs::create_dir_all(&dir).expect("dir");
		std::fs::write(
			dir.join("a.json"),
			br#"{"resourceType":"Observation","id":"a","status":"final"}"#,
		)
		.expect("w");
		std::fs::write(
			dir.join("b.json"),
			br#"{"resourceType":"Observation","id":"b","status":"final"}"#,
		)
		.expect("w");
		std::fs::write(dir.join("c.pdf"), b"%PDF-1.7 c").expect("w");
		let out = Command::new(&bin)
			.arg("batch")
			.arg(&dir)
			.args(["--salt", "00112233445566778899aabbccddeeff"])
			.output()
			.expect("digest CLI runs");
		assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
		let summary: serde_json::Value = serde_json::from_slice(
			&std::fs::read(dir.join(".batch/batch.json")).expect("batch.json"),
		)
		.expect("json");
		let mut leaves = Vec::new();
		let mut proofs = Vec::new();
		for name in ["a.json", "b.json", "c.pdf"] {
			let p: serde_json::Value = serde_json::from_slice(
				&std::fs::read(dir.join(format!(".batch/proofs/{name}.proof.json")))
					.expect("proof"),
			)
			.expect("json");
			leaves.push(h256(&p["leaf"]));
			proofs.push(p["proof"].as_array().expect("array").iter().map(h256).collect());
		}
		(h256(&summary["root"]), leaves, proofs)
	} else {
		let leaves: Vec<H256> = (10..13).map(digest).collect();
		let root = binary_merkle_tree::merkle_root::<BlakeTwo256, _>(leaves.iter());
		let proofs = (0..leaves.len() as u32)
			.map(|i| binary_merkle_tree::merkle_proof::<BlakeTwo256, _, _>(leaves.iter(), i).proof)
			.collect();
		(root, leaves, proofs)
	}
}
