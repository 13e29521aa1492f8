//! `records_*` JSON-RPC methods over the runtime's `RecordsApi`.
//!
//! JSON shapes (hex strings are 0x-prefixed, accounts are SS58 with the chain's prefix):
//!
//! - `records_verify(recordId, digest, at?)` →
//!   `{"status":"valid","version":2}` | `{"status":"superseded","version":1,"latest":2}` |
//!   `{"status":"retracted"}` | `{"status":"unknown"}`
//! - `records_verifyInclusion(batchId, leaf, leafIndex, proof[], at?)` → `true` | `false`
//! - `records_get(recordId, at?)` → `null` |
//!   `{"recordId","subject","author","kind","scope","versions","createdAt","status","retraction",
//!     "latest":{"digest","author","at"}}` where `status` is `"active"` or `"retracted"` and
//!   `retraction` is `null` or `{"reason":"patientRequest","at":12}`
//! - `records_history(recordId, at?)` → `[{"version":1,"digest","author","at"}, ...]`
//! - `records_batch(batchId, at?)` → `null` | `{"batchId","root","leafCount","author","at"}`
//!
//! `at` is an optional block hash; without it the answer is at the **finalized** block (an audit
//! answer must not be reverted by a re-org).

use std::sync::Arc;

use super::runtime_error;
use healthchain_runtime::{opaque::Block, AccountId, BlockNumber};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_records::{runtime_api::RecordsApi, RecordStatus, RetractReason, Verification};
use serde::Serialize;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::H256;

/// The longest inclusion proof any batch can have (a tree over at most 2^32 leaves).
pub const MAX_PROOF_LEN: usize = 32;

/// The answer of `records_verify`.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum VerifyResult {
	/// The digest is the latest version.
	Valid { version: u32 },
	/// The digest is an older version.
	Superseded { version: u32, latest: u32 },
	/// The record is retracted.
	Retracted,
	/// Unknown record or digest.
	Unknown,
}

impl From<Verification> for VerifyResult {
	fn from(v: Verification) -> Self {
		match v {
			Verification::Valid { version } => Self::Valid { version },
			Verification::Superseded { version, latest } => Self::Superseded { version, latest },
			Verification::Retracted => Self::Retracted,
			Verification::Unknown => Self::Unknown,
		}
	}
}

/// One version, as JSON.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct VersionJson {
	/// Version number (from 1); absent inside `latest`.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub version: Option<u32>,
	/// Salted digest.
	pub digest: H256,
	/// Who anchored it.
	pub author: AccountId,
	/// Block number.
	pub at: BlockNumber,
}

/// A retraction, as JSON.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct RetractionJson {
	/// `enteredInError`, `duplicate`, `patientRequest`, `replaced` or `other`.
	pub reason: &'static str,
	/// Block number.
	pub at: BlockNumber,
}

/// A record, as JSON.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct RecordJson {
	/// The record id.
	pub record_id: H256,
	/// The patient.
	pub subject: AccountId,
	/// The authoring organisation.
	pub author: AccountId,
	/// Resource kind code.
	pub kind: u16,
	/// The record's data category (`clinical`, `labs`, ..., `billing`), fixed at anchoring.
	pub scope: String,
	/// Number of versions.
	pub versions: u32,
	/// Block of version 1.
	pub created_at: BlockNumber,
	/// `active` or `retracted`.
	pub status: &'static str,
	/// The retraction, if any.
	pub retraction: Option<RetractionJson>,
	/// The latest version.
	pub latest: VersionJson,
}

/// A Merkle batch, as JSON.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct BatchJson {
	/// Batch id.
	pub batch_id: u64,
	/// Merkle root.
	pub root: H256,
	/// Number of leaves.
	pub leaf_count: u32,
	/// Who anchored it.
	pub author: AccountId,
	/// Block number.
	pub at: BlockNumber,
}

fn reason_name(r: RetractReason) -> &'static str {
	match r {
		RetractReason::EnteredInError => "enteredInError",
		RetractReason::Duplicate => "duplicate",
		RetractReason::PatientRequest => "patientRequest",
		RetractReason::Replaced => "replaced",
		RetractReason::Other => "other",
	}
}

/// The `records_*` RPC methods.
#[rpc(server, namespace = "records")]
pub trait RecordsRpcApi<BlockHash> {
	/// Whether `digest` is the current content of record `record_id`.
	#[method(name = "verify")]
	fn verify(
		&self,
		record_id: H256,
		digest: H256,
		at: Option<BlockHash>,
	) -> RpcResult<VerifyResult>;

	/// Whether `leaf` is leaf `leaf_index` of batch `batch_id` given the sibling hashes.
	#[method(name = "verifyInclusion")]
	fn verify_inclusion(
		&self,
		batch_id: u64,
		leaf: H256,
		leaf_index: u32,
		proof: Vec<H256>,
		at: Option<BlockHash>,
	) -> RpcResult<bool>;

	/// A record's anchor and latest version.
	#[method(name = "get")]
	fn get(&self, record_id: H256, at: Option<BlockHash>) -> RpcResult<Option<RecordJson>>;

	/// Every version of a record, oldest first.
	#[method(name = "history")]
	fn history(&self, record_id: H256, at: Option<BlockHash>) -> RpcResult<Vec<VersionJson>>;

	/// A Merkle batch.
	#[method(name = "batch")]
	fn batch(&self, batch_id: u64, at: Option<BlockHash>) -> RpcResult<Option<BatchJson>>;
}

/// Implements [`RecordsRpcApiServer`] over a client.
pub struct Records<C> {
	client: Arc<C>,
}

impl<C> Records<C> {
	/// An RPC handler over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> Records<C>
where
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<H256>) -> H256 {
		at.unwrap_or_else(|| self.client.info().finalized_hash)
	}
}

impl<C> RecordsRpcApiServer<H256> for Records<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: RecordsApi<Block, AccountId, BlockNumber>,
{
	fn verify(&self, record_id: H256, digest: H256, at: Option<H256>) -> RpcResult<VerifyResult> {
		let at = self.at(at);
		let v = self.client.runtime_api().verify(at, record_id, digest).map_err(runtime_error)?;
		Ok(v.into())
	}

	fn verify_inclusion(
		&self,
		batch_id: u64,
		leaf: H256,
		leaf_index: u32,
		proof: Vec<H256>,
		at: Option<H256>,
	) -> RpcResult<bool> {
		// No tree of at most 2^32 leaves is deeper than 32: a longer proof is refused before
		// the runtime is asked (which also caps it at the batch's own depth).
		if proof.len() > MAX_PROOF_LEN {
			return Err(jsonrpsee::types::error::ErrorObject::owned(
				2,
				format!("proof has {} hashes; at most {MAX_PROOF_LEN} are possible", proof.len()),
				None::<()>,
			));
		}
		let at = self.at(at);
		self.client
			.runtime_api()
			.verify_inclusion(at, batch_id, leaf, leaf_index, proof)
			.map_err(runtime_error)
	}

	fn get(&self, record_id: H256, at: Option<H256>) -> RpcResult<Option<RecordJson>> {
		let at = self.at(at);
		let summary = self.client.runtime_api().record(at, record_id).map_err(runtime_error)?;
		Ok(summary.map(|s| {
			let (status, retraction) = match s.entry.status {
				RecordStatus::Active => ("active", None),
				RecordStatus::Retracted { reason, at } => {
					("retracted", Some(RetractionJson { reason: reason_name(reason), at }))
				}
			};
			RecordJson {
				record_id: s.record_id,
				subject: s.entry.subject,
				author: s.entry.author,
				kind: s.entry.kind.0,
				scope: super::consent::scope_name(s.entry.scope),
				versions: s.entry.versions,
				created_at: s.entry.created_at,
				status,
				retraction,
				latest: VersionJson {
					version: None,
					digest: s.latest.digest,
					author: s.latest.author,
					at: s.latest.at,
				},
			}
		}))
	}

	fn history(&self, record_id: H256, at: Option<H256>) -> RpcResult<Vec<VersionJson>> {
		let at = self.at(at);
		let versions = self.client.runtime_api().history(at, record_id).map_err(runtime_error)?;
		Ok(versions
			.into_iter()
			.enumerate()
			.map(|(i, v)| VersionJson {
				version: Some(i as u32 + 1),
				digest: v.digest,
				author: v.author,
				at: v.at,
			})
			.collect())
	}

	fn batch(&self, batch_id: u64, at: Option<H256>) -> RpcResult<Option<BatchJson>> {
		let at = self.at(at);
		let batch = self.client.runtime_api().batch(at, batch_id).map_err(runtime_error)?;
		Ok(batch.map(|b| BatchJson {
			batch_id,
			root: b.root,
			leaf_count: b.leaf_count,
			author: b.author,
			at: b.at,
		}))
	}
}
