//! Tests of the digest library and the `healthchain-digest` binary with FHIR fixtures written
//! for this repository (synthetic data), plus the official HL7 examples in ../shared when
//! present.

use healthchain_digest::*;
use std::{path::PathBuf, process::Command};

const SALT: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn fixture(name: &str) -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn digest_file(name: &str, salt: &[u8]) -> [u8; 32] {
	let path = fixture(name);
	let bytes = std::fs::read(&path).expect("fixture exists");
	record_digest(salt, &bytes, content_of(&path)).expect("digest")
}

fn salt() -> Vec<u8> {
	parse_salt(SALT).expect("valid salt")
}

#[test]
fn key_order_and_whitespace_do_not_change_the_digest() {
	assert_eq!(
		digest_file("patient.json", &salt()),
		digest_file("patient-reordered.json", &salt())
	);
	assert_eq!(
		digest_file("observation.json", &salt()),
		digest_file("observation-reordered.json", &salt())
	);
	assert_ne!(digest_file("patient.json", &salt()), digest_file("observation.json", &salt()));
}

#[test]
fn salt_and_content_change_the_digest() {
	let other_salt = parse_salt("ff0102030405060708090a0b0c0d0e0f").expect("16 bytes");
	assert_ne!(digest_file("patient.json", &salt()), digest_file("patient.json", &other_salt));
	let bytes = std::fs::read(fixture("patient.json")).expect("fixture");
	let changed = String::from_utf8(bytes).expect("utf8").replace("1970-01-01", "1970-01-02");
	assert_ne!(
		record_digest(&salt(), changed.as_bytes(), Content::Json).expect("digest"),
		digest_file("patient.json", &salt())
	);
}

#[test]
fn canonical_form_follows_rfc8785() {
	let out = canonical_json(
		br#"{ "b": 2, "a": [1.0E2, "\u00e9", true, null], "c": {"z": 0.5, "y": -0} }"#,
	)
	.expect("json");
	assert_eq!(
		String::from_utf8(out).expect("utf8"),
		r#"{"a":[100,"é",true,null],"b":2,"c":{"y":0,"z":0.5}}"#
	);
}

#[test]
fn raw_files_are_hashed_as_bytes() {
	let d1 = record_digest(&salt(), b"%PDF-1.7 example", Content::Raw).expect("digest");
	let mut input = salt();
	input.extend_from_slice(b"%PDF-1.7 example");
	assert_eq!(d1, sp_crypto_hashing::blake2_256(&input));
}

#[test]
fn bad_salts_and_json_are_named_errors() {
	assert!(matches!(parse_salt("00ff"), Err(Error::BadSalt(_))));
	assert!(matches!(parse_salt("zz"), Err(Error::BadSalt(_))));
	assert!(matches!(canonical_json(b"{not json"), Err(Error::BadJson(_))));
	assert!(matches!(parse_hex32("0x1234"), Err(Error::BadHex32(_))));
	assert!(parse_hex32(&format!("0x{}", "ab".repeat(32))).is_ok());
}

#[test]
fn merkle_proofs_verify_for_every_leaf_and_reject_tampering() {
	for n in [1u32, 2, 3, 5, 8, 13, 17] {
		let leaves: Vec<[u8; 32]> =
			(0..n).map(|i| sp_crypto_hashing::blake2_256(&i.to_le_bytes())).collect();
		let batch = Batch::new(leaves);
		for i in 0..n {
			let proof = batch.proof(i);
			assert_eq!(proof.root, batch.root);
			assert!(proof.verify(), "n={n} i={i}");
			let json = proof.to_json();
			assert_eq!(Proof::from_json(&json).expect("round trip"), proof);
			let mut bad = proof.clone();
			bad.leaf[0] ^= 1;
			assert!(!bad.verify());
			if let Some(first) = proof.proof.first() {
				let mut bad = proof.clone();
				bad.proof[0] = {
					let mut h = *first;
					h[31] ^= 1;
					h
				};
				assert!(!bad.verify());
			}
			let mut bad = proof.clone();
			bad.leaf_index = n; // out of range
			assert!(!bad.verify());
		}
	}
}

#[test]
fn shared_hl7_examples_digest_deterministically_when_present() {
	let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fhir-examples");
	let Ok(entries) = std::fs::read_dir(&dir) else {
		eprintln!("{} not present: skipped", dir.display());
		return;
	};
	let mut seen = 0;
	for e in entries.flatten() {
		let path = e.path();
		if content_of(&path) != Content::Json {
			continue;
		}
		let bytes = std::fs::read(&path).expect("readable");
		let d = record_digest(&salt(), &bytes, Content::Json).expect("official example is JSON");
		// Re-serialized with other whitespace and key order, the digest is the same.
		let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
		let pretty = serde_json::to_vec_pretty(&value).expect("serialize");
		assert_eq!(
			record_digest(&salt(), &pretty, Content::Json).expect("digest"),
			d,
			"{}",
			path.display()
		);
		seen += 1;
	}
	assert!(seen > 0, "the shared examples folder has JSON files");
}

fn bin() -> Command {
	Command::new(env!("CARGO_BIN_EXE_healthchain-digest"))
}

#[test]
fn cli_digest_prints_the_library_digest() {
	let out = bin()
		.args(["digest"])
		.arg(fixture("observation-reordered.json"))
		.args(["--salt", SALT])
		.output()
		.expect("runs");
	assert!(out.status.success());
	let printed = String::from_utf8(out.stdout).expect("utf8");
	assert_eq!(printed.trim(), to_hex(&digest_file("observation.json", &salt())));
}

#[test]
fn cli_rejects_a_short_salt_with_a_clear_message() {
	let out = bin()
		.args(["digest"])
		.arg(fixture("patient.json"))
		.args(["--salt", "abcd"])
		.output()
		.expect("runs");
	assert_eq!(out.status.code(), Some(1));
	let err = String::from_utf8(out.stderr).expect("utf8");
	assert!(err.contains("bad --salt") && err.contains("at least 16"), "{err}");
}

#[test]
fn cli_batch_writes_root_and_a_verifying_proof_per_file() {
	let dir = std::env::temp_dir().join(format!("hc-digest-batch-{}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	std::fs::create_dir_all(&dir).expect("tmp dir");
	for name in ["patient.json", "observation.json"] {
		std::fs::copy(fixture(name), dir.join(name)).expect("copy");
	}
	std::fs::write(dir.join("scan.pdf"), b"%PDF-1.7 fake scan").expect("write");
	let out = bin().arg("batch").arg(&dir).args(["--salt", SALT]).output().expect("runs");
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let summary: serde_json::Value =
		serde_json::from_slice(&std::fs::read(dir.join(".batch/batch.json")).expect("batch.json"))
			.expect("json");
	assert_eq!(summary["leafCount"], 3);
	let root = summary["root"].as_str().expect("root").to_string();
	for name in ["observation.json", "patient.json", "scan.pdf"] {
		let v: serde_json::Value = serde_json::from_slice(
			&std::fs::read(dir.join(format!(".batch/proofs/{name}.proof.json")))
				.expect("proof file"),
		)
		.expect("json");
		let proof = Proof::from_json(&v).expect("proof");
		assert_eq!(to_hex(&proof.root), root);
		assert!(proof.verify(), "{name}");
		// The leaf is the file's digest under its per-file salt.
		let path = dir.join(name);
		let expected = record_digest(
			&leaf_salt(&salt(), name),
			&std::fs::read(&path).expect("file"),
			content_of(&path),
		)
		.expect("digest");
		assert_eq!(proof.leaf, expected);
	}
	let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn endpoint_parsing() {
	assert_eq!(endpoint("ws://127.0.0.1:9944").expect("ok"), ("127.0.0.1".to_string(), 9944));
	assert_eq!(endpoint("http://localhost:1/").expect("ok"), ("localhost".to_string(), 1));
	assert!(endpoint("wss://x:1").is_err());
	assert!(endpoint("ws://nohost").is_err());
}

#[test]
fn fast_proofs_equal_the_crate_proofs_and_root() {
	for n in 1u32..=70 {
		let leaves: Vec<[u8; 32]> =
			(0..n).map(|i| sp_crypto_hashing::blake2_256(&(i * 7).to_le_bytes())).collect();
		let batch = Batch::new(leaves.clone());
		assert_eq!(
			batch.root,
			binary_merkle_tree::merkle_root::<Blake2Hasher, _>(leaves.iter()),
			"root n={n}"
		);
		for i in 0..n {
			let crate_proof =
				binary_merkle_tree::merkle_proof::<Blake2Hasher, _, _>(leaves.iter(), i);
			let ours = batch.proof(i);
			assert_eq!(ours.proof, crate_proof.proof, "n={n} i={i}");
			assert_eq!(ours.leaf_count, crate_proof.number_of_leaves);
			assert!(ours.verify());
		}
	}
}

#[test]
fn threaded_build_equals_the_crate_root_and_proofs() {
	for n in [4096u32, 4097, 8193, 65_537] {
		let leaves: Vec<[u8; 32]> =
			(0..n).map(|i| sp_crypto_hashing::blake2_256(&i.to_le_bytes())).collect();
		let root = binary_merkle_tree::merkle_root::<Blake2Hasher, _>(leaves.iter());
		for threads in [1, 2, 3] {
			let batch = Batch::build(leaves.clone(), threads);
			assert_eq!(batch.root, root, "n={n} threads={threads}");
			for i in [0, 1, n / 2, n - 2, n - 1] {
				let crate_proof =
					binary_merkle_tree::merkle_proof::<Blake2Hasher, _, _>(leaves.iter(), i);
				assert_eq!(batch.proof(i).proof, crate_proof.proof, "n={n} i={i}");
			}
		}
	}
}

#[test]
fn cli_bench_batch_prints_roots_timings_and_verifying_samples() {
	let out = bin()
		.args(["bench-batch", "--leaves", "5000", "--batches", "2", "--samples", "6"])
		.output()
		.expect("run the CLI");
	assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
	let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
	let batches = v["batches"].as_array().expect("batches");
	assert_eq!(batches.len(), 2);
	assert_ne!(batches[0]["root"], batches[1]["root"]);
	assert_eq!(batches[0]["leafCount"], 5000);
	let samples = v["samples"].as_array().expect("samples");
	assert_eq!(samples.len(), 6);
	for s in samples {
		let p = Proof::from_json(s).expect("a proof");
		assert!(p.verify());
		let b = s["batch"].as_u64().expect("batch index") as usize;
		assert_eq!(s["root"], batches[b]["root"]);
	}
	assert!(v["buildMs"].as_f64().expect("buildMs") > 0.0);
	assert!(v["proofGen"]["meanNs"].as_f64().expect("meanNs") > 0.0);
	let zero = bin().args(["bench-batch", "--leaves", "0"]).output().expect("run the CLI");
	assert!(!zero.status.success());
}
