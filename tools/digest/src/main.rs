//! `healthchain-digest`: salted record digests, Merkle batches and verification against a node.
//!
//! ```text
//! healthchain-digest salt
//! healthchain-digest digest FILE --salt HEX
//! healthchain-digest batch DIR --salt HEX [--out OUTDIR]
//! healthchain-digest verify FILE --salt HEX --record-id HEX [--url ws://127.0.0.1:9944]
//! healthchain-digest verify-proof PROOF.json --batch-id N [--url ws://127.0.0.1:9944]
//! healthchain-digest bench-batch [--leaves N] [--batches K] [--samples S] [--threads T]
//! ```

use clap::{Parser, Subcommand};
use healthchain_digest::*;
use std::{path::PathBuf, process::ExitCode, time::Instant};

#[derive(Parser)]
#[command(name = "healthchain-digest", version, about)]
struct Cli {
	#[command(subcommand)]
	cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
	/// Print 32 random bytes (hex) to use as a record's salt. Keep it with the record.
	Salt,
	/// Print the salted digest of a file (`*.json` is canonicalized with RFC 8785 first).
	Digest {
		/// The record file.
		file: PathBuf,
		/// The record's salt (hex, at least 16 bytes).
		#[arg(long)]
		salt: String,
	},
	/// Build a Merkle batch over every file of DIR (sorted by name). Each file's salt is
	/// blake2-256(salt || file name). Writes OUT/batch.json and OUT/proofs/<file>.proof.json.
	Batch {
		/// The directory of record files.
		dir: PathBuf,
		/// The batch salt (hex, at least 16 bytes).
		#[arg(long)]
		salt: String,
		/// Where to write the batch (default: DIR/.batch).
		#[arg(long)]
		out: Option<PathBuf>,
	},
	/// Check a file against an anchored record through `records_verify`.
	/// Exit code 0 when the file is the record's latest version, 2 otherwise.
	Verify {
		/// The record file.
		file: PathBuf,
		/// The record's salt.
		#[arg(long)]
		salt: String,
		/// The record id (32 bytes hex).
		#[arg(long)]
		record_id: String,
		/// The node's RPC endpoint.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
	},
	/// Measure batch building for the throughput harness (scripts/bench): precompute K × N
	/// pseudo-random record digests (untimed), build K Merkle trees (timed), time proof
	/// generation, and print JSON with the roots, timings and `samples` proofs to verify.
	BenchBatch {
		/// Leaves per batch (at most the runtime's `MaxBatchLeaves`, 2^24).
		#[arg(long, default_value_t = 1 << 20)]
		leaves: u32,
		/// Number of batches.
		#[arg(long, default_value_t = 4)]
		batches: u32,
		/// Proofs to print (spread over the batches) for verification against a node.
		#[arg(long, default_value_t = 200)]
		samples: u32,
		/// Hashing threads (default: every core).
		#[arg(long)]
		threads: Option<usize>,
		/// Seed of the digests (different seeds give different roots).
		#[arg(long, default_value_t = 1)]
		seed: u64,
	},
	/// Check a proof file written by `batch` through `records_verifyInclusion`.
	/// Exit code 0 when included, 2 otherwise.
	VerifyProof {
		/// The proof file.
		proof: PathBuf,
		/// The batch id `records.BatchAnchored` reported.
		#[arg(long)]
		batch_id: u64,
		/// The node's RPC endpoint.
		#[arg(long, default_value = "ws://127.0.0.1:9944")]
		url: String,
	},
}

fn read(path: &PathBuf) -> Result<Vec<u8>, Error> {
	std::fs::read(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
	match cli.cmd {
		Cmd::Salt => {
			println!("{}", to_hex(&random_salt()?));
			Ok(ExitCode::SUCCESS)
		}
		Cmd::Digest { file, salt } => {
			let salt = parse_salt(&salt)?;
			let d = record_digest(&salt, &read(&file)?, content_of(&file))?;
			println!("{}", to_hex(&d));
			Ok(ExitCode::SUCCESS)
		}
		Cmd::Batch { dir, salt, out } => {
			let salt = parse_salt(&salt)?;
			let out = out.unwrap_or_else(|| dir.join(".batch"));
			let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
				.map_err(|e| Error::Io(format!("{}: {e}", dir.display())))?
				.filter_map(|e| e.ok().map(|e| e.path()))
				.filter(|p| p.is_file())
				.filter(|p| !p.file_name().and_then(|n| n.to_str()).unwrap_or(".").starts_with('.'))
				.collect();
			files.sort();
			if files.is_empty() {
				return Err(Error::Io(format!("{}: no files to batch", dir.display())));
			}
			let started = Instant::now();
			let mut leaves = Vec::with_capacity(files.len());
			let mut names = Vec::with_capacity(files.len());
			for f in &files {
				let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
				let leaf_salt = leaf_salt(&salt, &name);
				leaves.push(record_digest(&leaf_salt, &read(f)?, content_of(f))?);
				names.push(name);
			}
			let digested = started.elapsed();
			let batch = Batch::new(leaves);
			let proofs_dir = out.join("proofs");
			std::fs::create_dir_all(&proofs_dir).map_err(|e| Error::Io(e.to_string()))?;
			let mut index = Vec::with_capacity(names.len());
			for (i, name) in names.iter().enumerate() {
				let proof = batch.proof(i as u32);
				let path = proofs_dir.join(format!("{name}.proof.json"));
				std::fs::write(
					&path,
					serde_json::to_vec_pretty(&proof.to_json()).unwrap_or_default(),
				)
				.map_err(|e| Error::Io(e.to_string()))?;
				index.push(
					serde_json::json!({"file": name, "leafIndex": i, "digest": to_hex(&proof.leaf)}),
				);
			}
			let total = started.elapsed();
			let summary = serde_json::json!({
				"root": to_hex(&batch.root),
				"leafCount": batch.leaves.len(),
				"hasher": "blake2-256 (binary-merkle-tree)",
				"leafSalt": "blake2-256(batch salt || file name)",
				"leaves": index,
			});
			std::fs::write(
				out.join("batch.json"),
				serde_json::to_vec_pretty(&summary).unwrap_or_default(),
			)
			.map_err(|e| Error::Io(e.to_string()))?;
			println!("root       {}", to_hex(&batch.root));
			println!("leafCount  {}", batch.leaves.len());
			println!("written    {}", out.display());
			let secs = total.as_secs_f64().max(1e-9);
			eprintln!(
				"digested {} files in {:.3} s, batch + proofs in {:.3} s ({:.0} records/s)",
				batch.leaves.len(),
				digested.as_secs_f64(),
				secs,
				batch.leaves.len() as f64 / secs
			);
			println!(
				"anchor it: records.anchorBatch({}, {})",
				to_hex(&batch.root),
				batch.leaves.len()
			);
			Ok(ExitCode::SUCCESS)
		}
		Cmd::Verify { file, salt, record_id, url } => {
			let salt = parse_salt(&salt)?;
			let record_id = parse_hex32(&record_id)?;
			let d = record_digest(&salt, &read(&file)?, content_of(&file))?;
			let result = rpc_call(
				&url,
				"records_verify",
				serde_json::json!([to_hex(&record_id), to_hex(&d)]),
			)?;
			println!("digest {}", to_hex(&d));
			println!("{result}");
			let valid = result.get("status").and_then(|s| s.as_str()) == Some("valid");
			Ok(if valid { ExitCode::SUCCESS } else { ExitCode::from(2) })
		}
		Cmd::BenchBatch { leaves, batches, samples, threads, seed } => {
			let threads = threads
				.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
			let out = bench_batch(leaves, batches, samples, threads, seed)?;
			println!("{out}");
			Ok(ExitCode::SUCCESS)
		}
		Cmd::VerifyProof { proof, batch_id, url } => {
			let v: serde_json::Value = serde_json::from_slice(&read(&proof)?)
				.map_err(|e| Error::BadJson(e.to_string()))?;
			let p = Proof::from_json(&v)?;
			let included = rpc_call(
				&url,
				"records_verifyInclusion",
				serde_json::json!([
					batch_id,
					to_hex(&p.leaf),
					p.leaf_index,
					p.proof.iter().map(|h| to_hex(h)).collect::<Vec<_>>()
				]),
			)?;
			println!("{included}");
			Ok(if included == serde_json::Value::Bool(true) {
				ExitCode::SUCCESS
			} else {
				ExitCode::from(2)
			})
		}
	}
}

/// Deterministic digests `blake2_256(seed || batch || index)`, generated on `threads` threads.
fn bench_leaves(seed: u64, batch: u32, count: u32, threads: usize) -> Vec<[u8; 32]> {
	let leaf = |i: u32| {
		let mut input = [0u8; 16];
		input[..8].copy_from_slice(&seed.to_le_bytes());
		input[8..12].copy_from_slice(&batch.to_le_bytes());
		input[12..].copy_from_slice(&i.to_le_bytes());
		sp_crypto_hashing::blake2_256(&input)
	};
	let per = count.div_ceil(threads.max(1) as u32).max(1);
	std::thread::scope(|scope| {
		let parts: Vec<_> = (0..count)
			.step_by(per as usize)
			.map(|start| {
				let end = start.saturating_add(per).min(count);
				scope.spawn(move || (start..end).map(leaf).collect::<Vec<_>>())
			})
			.collect();
		let mut all = Vec::with_capacity(count as usize);
		for p in parts {
			all.extend(p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
		}
		all
	})
}

/// The `bench-batch` measurement (see the subcommand's help).
fn bench_batch(
	leaves: u32,
	batches: u32,
	samples: u32,
	threads: usize,
	seed: u64,
) -> Result<serde_json::Value, Error> {
	if leaves == 0 || batches == 0 {
		return Err(Error::Io("bench-batch: --leaves and --batches must be at least 1".into()));
	}
	let generated = Instant::now();
	let inputs: Vec<Vec<[u8; 32]>> =
		(0..batches).map(|b| bench_leaves(seed, b, leaves, threads)).collect();
	let generate_ms = generated.elapsed().as_secs_f64() * 1e3;

	let per_batch = samples.div_ceil(batches).min(leaves);
	let mut out_batches = Vec::new();
	let mut sample_proofs = Vec::new();
	let mut single_ns = Vec::new();
	let mut bulk = (0u64, 0f64); // proofs, seconds
	let mut build_secs = 0f64;
	for (b, input) in inputs.into_iter().enumerate() {
		let started = Instant::now();
		let batch = Batch::build(input, threads);
		let secs = started.elapsed().as_secs_f64();
		build_secs += secs;
		out_batches.push(serde_json::json!({
			"root": to_hex(&batch.root),
			"leafCount": leaves,
			"buildMs": secs * 1e3,
		}));
		// Sample leaves spread over the batch (first, last and strided in between).
		for k in 0..per_batch {
			let index = if per_batch <= 1 {
				0
			} else {
				((u64::from(k) * u64::from(leaves - 1)) / u64::from(per_batch - 1)) as u32
			};
			let t = Instant::now();
			let proof = batch.proof(index);
			single_ns.push(t.elapsed().as_nanos() as f64);
			if !proof.verify() {
				return Err(Error::Io(format!("bench-batch: proof {index} of batch {b} invalid")));
			}
			let mut j = proof.to_json();
			j["batch"] = serde_json::json!(b);
			sample_proofs.push(j);
		}
		// The mean over many proofs (timer overhead amortized).
		let n = leaves.min(100_000);
		let t = Instant::now();
		let mut depth = 0usize;
		for i in 0..n {
			depth = depth.wrapping_add(batch.proof(i.wrapping_mul(7919) % leaves).proof.len());
		}
		bulk.1 += t.elapsed().as_secs_f64();
		bulk.0 += u64::from(n);
		std::hint::black_box(depth);
	}
	single_ns.sort_by(|a, b| a.total_cmp(b));
	let pct = |p: f64| -> f64 {
		if single_ns.is_empty() {
			return 0.0;
		}
		let i = ((single_ns.len() as f64 - 1.0) * p).round() as usize;
		single_ns[i.min(single_ns.len() - 1)]
	};
	let total = u64::from(leaves) * u64::from(batches);
	Ok(serde_json::json!({
		"leavesPerBatch": leaves,
		"threads": threads,
		"generateMs": generate_ms,
		"buildMs": build_secs * 1e3,
		"leavesPerSec": total as f64 / build_secs.max(1e-9),
		"batches": out_batches,
		"proofGen": {
			"meanNs": bulk.1 * 1e9 / (bulk.0.max(1) as f64),
			"meanOver": bulk.0,
			"p50Ns": pct(0.5),
			"p99Ns": pct(0.99),
			"maxNs": pct(1.0),
		},
		"samples": sample_proofs,
	}))
}

fn main() -> ExitCode {
	match run(Cli::parse()) {
		Ok(code) => code,
		Err(e) => {
			eprintln!("error: {e}");
			ExitCode::from(1)
		}
	}
}
