//! # healthchain-digest
//!
//! The off-chain half of Healthchain's record anchoring:
//!
//! - [`record_digest`]: blake2-256 over `salt || canonical bytes`, where a FHIR JSON document is
//!   first canonicalized with RFC 8785 (JSON Canonicalization Scheme), so key order and
//!   whitespace never change the digest; other files are hashed as bytes.
//! - [`Batch`]: a `binary-merkle-tree` (blake2-256) over many record digests, with one
//!   inclusion proof per leaf, exactly as `records.anchorBatch` and
//!   `records_verifyInclusion` expect.
//! - [`rpc_call`]: a minimal JSON-RPC client (HTTP on the node's RPC port, which serves
//!   WebSocket and HTTP alike).

use std::{
	io::{Read, Write},
	net::TcpStream,
	time::Duration,
};

/// blake2-256 as a `hash_db::Hasher`, the hasher of the runtime's Merkle batches.
pub struct Blake2Hasher;

impl hash_db::Hasher for Blake2Hasher {
	type Out = [u8; 32];
	type StdHasher = hash256_std_hasher::Hash256StdHasher;
	const LENGTH: usize = 32;

	fn hash(x: &[u8]) -> Self::Out {
		sp_crypto_hashing::blake2_256(x)
	}
}

/// The shortest salt accepted: 16 bytes (128 bits) keep digests of guessable records private.
pub const MIN_SALT_LEN: usize = 16;

/// Errors of this tool, with messages for the command line.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
	/// The salt is not hex or too short.
	BadSalt(String),
	/// A hex argument is not 32 bytes.
	BadHex32(String),
	/// A `.json` file does not parse as JSON.
	BadJson(String),
	/// An I/O problem.
	Io(String),
	/// The node could not be reached or answered an error.
	Rpc(String),
}

impl std::fmt::Display for Error {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Error::BadSalt(m) => write!(f, "bad --salt: {m}"),
			Error::BadHex32(m) => write!(f, "bad 32-byte hex value: {m}"),
			Error::BadJson(m) => write!(f, "not valid JSON: {m}"),
			Error::Io(m) => write!(f, "I/O error: {m}"),
			Error::Rpc(m) => write!(f, "RPC error: {m}"),
		}
	}
}

impl std::error::Error for Error {}

/// Parse a salt from hex (with or without `0x`): at least [`MIN_SALT_LEN`] bytes.
pub fn parse_salt(hex_str: &str) -> Result<Vec<u8>, Error> {
	let bytes = hex::decode(hex_str.trim_start_matches("0x"))
		.map_err(|e| Error::BadSalt(format!("{e}")))?;
	if bytes.len() < MIN_SALT_LEN {
		return Err(Error::BadSalt(format!(
			"{} bytes; use at least {MIN_SALT_LEN} random bytes (`healthchain-digest salt`)",
			bytes.len()
		)));
	}
	Ok(bytes)
}

/// Parse a 32-byte hex value (record id, digest, root).
pub fn parse_hex32(hex_str: &str) -> Result<[u8; 32], Error> {
	let bytes = hex::decode(hex_str.trim_start_matches("0x"))
		.map_err(|e| Error::BadHex32(format!("{hex_str}: {e}")))?;
	bytes.try_into().map_err(|b: Vec<u8>| Error::BadHex32(format!("{hex_str}: {} bytes", b.len())))
}

/// `0x`-prefixed lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// How a file's content is turned into the bytes that are hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
	/// JSON, canonicalized with RFC 8785 first.
	Json,
	/// Any other file: the bytes as they are.
	Raw,
}

/// JSON for `*.json` files, raw bytes otherwise.
pub fn content_of(path: &std::path::Path) -> Content {
	match path.extension().and_then(|e| e.to_str()) {
		Some(e) if e.eq_ignore_ascii_case("json") => Content::Json,
		_ => Content::Raw,
	}
}

/// RFC 8785 canonical bytes of a JSON document.
pub fn canonical_json(bytes: &[u8]) -> Result<Vec<u8>, Error> {
	let value: serde_json::Value =
		serde_json::from_slice(bytes).map_err(|e| Error::BadJson(e.to_string()))?;
	serde_json_canonicalizer::to_vec(&value).map_err(|e| Error::BadJson(e.to_string()))
}

/// The record digest: blake2-256 over `salt || bytes` (bytes canonicalized first for JSON).
pub fn record_digest(salt: &[u8], bytes: &[u8], content: Content) -> Result<[u8; 32], Error> {
	let canonical;
	let body = match content {
		Content::Json => {
			canonical = canonical_json(bytes)?;
			&canonical[..]
		}
		Content::Raw => bytes,
	};
	let mut input = Vec::with_capacity(salt.len() + body.len());
	input.extend_from_slice(salt);
	input.extend_from_slice(body);
	Ok(sp_crypto_hashing::blake2_256(&input))
}

/// The salt of leaf `name` in a batch: blake2-256(batch salt || name), so every record of a
/// batch has its own salt while the provider keeps only one secret per batch.
pub fn leaf_salt(batch_salt: &[u8], name: &str) -> Vec<u8> {
	let mut input = batch_salt.to_vec();
	input.extend_from_slice(name.as_bytes());
	sp_crypto_hashing::blake2_256(&input).to_vec()
}

/// A Merkle batch over record digests (leaves in the given order).
///
/// The root is `binary_merkle_tree::merkle_root` (the crate the runtime verifies with). To make
/// proofs for every leaf in O(n log n) instead of the crate's O(n) per proof, the tree's rows
/// are kept; [`Batch::proof`] reads the siblings from them. The rows follow the crate's
/// construction (pairs hashed, an odd last node promoted), and the tests check every proof
/// against `binary_merkle_tree::merkle_proof` and the root against `merkle_root`.
pub struct Batch {
	/// The leaves: record digests.
	pub leaves: Vec<[u8; 32]>,
	/// The root to anchor with `records.anchorBatch(root, leaves.len())`.
	pub root: [u8; 32],
	/// Row 0 holds the hashed leaves, the last row the root.
	rows: Vec<Vec<[u8; 32]>>,
}

/// One leaf's inclusion proof, as `records_verifyInclusion` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
	/// The batch root.
	pub root: [u8; 32],
	/// The number of leaves.
	pub leaf_count: u32,
	/// The leaf's position.
	pub leaf_index: u32,
	/// The leaf (a record digest).
	pub leaf: [u8; 32],
	/// Sibling hashes from the leaf up.
	pub proof: Vec<[u8; 32]>,
}

impl Batch {
	/// Build the tree over `leaves` on one thread.
	pub fn new(leaves: Vec<[u8; 32]>) -> Self {
		Self::build(leaves, 1)
	}

	/// Build the tree over `leaves`, hashing each row on up to `threads` threads.
	///
	/// The rows follow `binary_merkle_tree`: row 0 is blake2-256 of each leaf; each next row
	/// hashes pairs (`blake2_256(left || right)`) and promotes an odd last node unchanged.
	pub fn build(leaves: Vec<[u8; 32]>, threads: usize) -> Self {
		if leaves.is_empty() {
			let root = binary_merkle_tree::merkle_root::<Blake2Hasher, _>(leaves.iter());
			return Self { leaves, root, rows: Vec::new() };
		}
		let threads = threads.max(1);
		let mut rows = vec![hash_row(&leaves, 1, threads)];
		while let Some(row) = rows.last().filter(|r| r.len() > 1) {
			let next = hash_row(row, 2, threads);
			rows.push(next);
		}
		let root = rows.last().and_then(|r| r.first()).copied().unwrap_or_default();
		Self { leaves, root, rows }
	}

	/// The inclusion proof of leaf `index` (which must be below the leaf count).
	pub fn proof(&self, index: u32) -> Proof {
		let mut proof = Vec::new();
		let mut i = index as usize;
		for row in &self.rows[..self.rows.len().saturating_sub(1)] {
			let sibling = i ^ 1;
			if sibling < row.len() {
				proof.push(row[sibling]);
			}
			i /= 2;
		}
		Proof {
			root: self.root,
			leaf_count: self.leaves.len() as u32,
			leaf_index: index,
			leaf: self.leaves[index as usize],
			proof,
		}
	}
}

/// One row of the tree from the row below: `blake2_256` of each item (`width` 1: the leaves) or
/// of each adjacent pair (`width` 2, an odd last node promoted unchanged). Hashes go through
/// `blake2b_simd::many` (4 inputs per AVX2 lane set) and the row is split over up to `threads`
/// scoped threads (rows of fewer than 4,096 outputs stay on the calling thread).
fn hash_row(items: &[[u8; 32]], width: usize, threads: usize) -> Vec<[u8; 32]> {
	let outputs = items.len().div_ceil(width);
	if threads <= 1 || outputs < 4096 {
		return hash_part(items, width);
	}
	let per_thread = outputs.div_ceil(threads) * width;
	std::thread::scope(|scope| {
		let handles: Vec<_> = items
			.chunks(per_thread)
			.map(|part| scope.spawn(move || hash_part(part, width)))
			.collect();
		let mut out = Vec::with_capacity(outputs);
		for h in handles {
			// A hashing thread cannot panic short of a bug; propagate it if one does.
			out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
		}
		out
	})
}

/// [`hash_row`] on one thread.
fn hash_part(items: &[[u8; 32]], width: usize) -> Vec<[u8; 32]> {
	let mut params = blake2b_simd::Params::new();
	params.hash_length(32);
	let mut out = Vec::with_capacity(items.len().div_ceil(width));
	for group in items.chunks(width * 64) {
		let mut jobs: Vec<blake2b_simd::many::HashManyJob> = group
			.chunks_exact(width)
			.map(|c| blake2b_simd::many::HashManyJob::new(&params, c.as_flattened()))
			.collect();
		blake2b_simd::many::hash_many(jobs.iter_mut());
		for job in &jobs {
			let mut h = [0u8; 32];
			h.copy_from_slice(job.to_hash().as_bytes());
			out.push(h);
		}
		// An odd node at the end of a row of pairs moves up unhashed.
		if let [odd] = group.chunks_exact(width).remainder() {
			out.push(*odd);
		}
	}
	out
}

impl Proof {
	/// Check the proof locally (the runtime does the same against the anchored root).
	pub fn verify(&self) -> bool {
		binary_merkle_tree::verify_proof::<Blake2Hasher, _, _>(
			&self.root,
			self.proof.iter().copied(),
			self.leaf_count,
			self.leaf_index,
			&self.leaf,
		)
	}

	/// As JSON (what `batch` writes per leaf).
	pub fn to_json(&self) -> serde_json::Value {
		serde_json::json!({
			"root": to_hex(&self.root),
			"leafCount": self.leaf_count,
			"leafIndex": self.leaf_index,
			"leaf": to_hex(&self.leaf),
			"proof": self.proof.iter().map(|p| to_hex(p)).collect::<Vec<_>>(),
		})
	}

	/// From the JSON [`Proof::to_json`] writes.
	pub fn from_json(v: &serde_json::Value) -> Result<Self, Error> {
		let s = |k: &str| {
			v.get(k).and_then(|x| x.as_str()).ok_or_else(|| Error::BadJson(format!("missing {k}")))
		};
		let n = |k: &str| {
			v.get(k)
				.and_then(|x| x.as_u64())
				.and_then(|x| u32::try_from(x).ok())
				.ok_or_else(|| Error::BadJson(format!("missing {k}")))
		};
		let proof = v
			.get("proof")
			.and_then(|p| p.as_array())
			.ok_or_else(|| Error::BadJson("missing proof".into()))?
			.iter()
			.map(|h| parse_hex32(h.as_str().unwrap_or_default()))
			.collect::<Result<Vec<_>, _>>()?;
		Ok(Proof {
			root: parse_hex32(s("root")?)?,
			leaf_count: n("leafCount")?,
			leaf_index: n("leafIndex")?,
			leaf: parse_hex32(s("leaf")?)?,
			proof,
		})
	}
}

/// Turn `ws://host:port` (or `http://...`) into `(host, port)`.
pub fn endpoint(url: &str) -> Result<(String, u16), Error> {
	let rest =
		url.strip_prefix("ws://").or_else(|| url.strip_prefix("http://")).ok_or_else(|| {
			Error::Rpc(format!("{url}: use ws://host:port or http://host:port (no TLS)"))
		})?;
	let hostport = rest.split('/').next().unwrap_or(rest);
	let (host, port) =
		hostport.rsplit_once(':').ok_or_else(|| Error::Rpc(format!("{url}: missing port")))?;
	let port = port.parse().map_err(|_| Error::Rpc(format!("{url}: bad port")))?;
	Ok((host.to_string(), port))
}

/// One JSON-RPC call over HTTP/1.1 to the node's RPC port. Returns `result` or the RPC error.
pub fn rpc_call(
	url: &str,
	method: &str,
	params: serde_json::Value,
) -> Result<serde_json::Value, Error> {
	let (host, port) = endpoint(url)?;
	let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
		.to_string();
	let mut stream = TcpStream::connect((host.as_str(), port))
		.map_err(|e| Error::Rpc(format!("connect {host}:{port}: {e}")))?;
	stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| Error::Io(e.to_string()))?;
	let req = format!(
		"POST / HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n\
		 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
		body.len()
	);
	stream.write_all(req.as_bytes()).map_err(|e| Error::Rpc(e.to_string()))?;
	let mut resp = String::new();
	stream.read_to_string(&mut resp).map_err(|e| Error::Rpc(e.to_string()))?;
	let (head, rest) =
		resp.split_once("\r\n\r\n").ok_or_else(|| Error::Rpc("malformed HTTP answer".into()))?;
	if !head.starts_with("HTTP/1.1 200") {
		return Err(Error::Rpc(head.lines().next().unwrap_or_default().to_string()));
	}
	let text = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
		dechunk(rest)
	} else {
		rest.to_string()
	};
	let v: serde_json::Value =
		serde_json::from_str(&text).map_err(|e| Error::Rpc(format!("bad JSON answer: {e}")))?;
	if let Some(err) = v.get("error") {
		return Err(Error::Rpc(err.to_string()));
	}
	v.get("result").cloned().ok_or_else(|| Error::Rpc("answer without result".into()))
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

/// 32 random bytes from the OS (for `salt`).
pub fn random_salt() -> Result<[u8; 32], Error> {
	let mut f = std::fs::File::open("/dev/urandom").map_err(|e| Error::Io(e.to_string()))?;
	let mut buf = [0u8; 32];
	f.read_exact(&mut buf).map_err(|e| Error::Io(e.to_string()))?;
	Ok(buf)
}
