//! `RecordsApi`: read-only queries the node's `records_*` RPCs (and any light client) call.

use crate::types::{Batch, BatchId, RecordSummary, RecordVersion, Verification};
use alloc::vec::Vec;
use codec::Codec;
use healthchain_primitives::{Digest, RecordId};

sp_api::decl_runtime_apis! {
	/// Queries over anchored records and batches.
	pub trait RecordsApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The record's anchor and latest version (status and history length included).
		fn record(record_id: RecordId) -> Option<RecordSummary<AccountId, BlockNumber>>;

		/// Every version of the record, oldest first.
		fn history(record_id: RecordId) -> Vec<RecordVersion<AccountId, BlockNumber>>;

		/// Whether `digest` is the record's latest version, an older version, retracted or
		/// unknown.
		fn verify(record_id: RecordId, digest: Digest) -> Verification;

		/// A Merkle batch.
		fn batch(batch_id: BatchId) -> Option<Batch<AccountId, BlockNumber>>;

		/// Whether `leaf` is leaf `leaf_index` of batch `batch_id` given the sibling hashes
		/// `proof` (`binary_merkle_tree::merkle_proof` over blake2-256).
		fn verify_inclusion(
			batch_id: BatchId,
			leaf: Digest,
			leaf_index: u32,
			proof: Vec<sp_core::H256>,
		) -> bool;
	}
}
