//! Types stored and returned by the records pallet. None of them can hold personal data:
//! identifiers and digests are opaque 32-byte values, kinds and reasons are small codes.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use healthchain_primitives::{Digest, RecordId, Scope};
use scale_info::TypeInfo;

/// What kind of resource a record is: a small code agreed off-chain. The recommended codes
/// follow FHIR resource types (see docs/records.md): 1 Patient, 2 Observation,
/// 3 Condition, 4 Procedure, 5 MedicationRequest, 6 DiagnosticReport, 7 ImagingStudy,
/// 8 Immunization, 9 AllergyIntolerance, 10 Encounter, 11 DocumentReference, 12 Consent,
/// 13 Claim, 14 ClaimResponse; 0 is "unspecified".
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct RecordKind(pub u16);

/// Why a record was retracted: a code, never text.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum RetractReason {
	/// The record was created in error (wrong patient, wrong encounter).
	EnteredInError,
	/// The record duplicates another anchored record.
	Duplicate,
	/// The patient asked for erasure (GDPR Art. 17): the off-chain record and its salt are
	/// deleted; the tombstone here proves the record existed and was retracted.
	PatientRequest,
	/// The record is replaced by a record with another id.
	Replaced,
	/// Any other reason, kept in the provider's own systems.
	Other,
}

/// Whether a record can still be amended.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum RecordStatus<BlockNumber> {
	/// Live: the latest version is the valid one.
	Active,
	/// Tombstone: retracted at `at` for `reason`; no further versions.
	Retracted { reason: RetractReason, at: BlockNumber },
}

/// A record anchor: who it is about, who wrote it, and where its history stands.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct RecordEntry<AccountId, BlockNumber> {
	/// The patient the record is about (a pseudonymous account).
	pub subject: AccountId,
	/// The provider organisation that anchored it; only it may amend or retract.
	pub author: AccountId,
	/// The kind of resource.
	pub kind: RecordKind,
	/// The record's data category, fixed at anchoring: accesses are checked against it.
	pub scope: Scope,
	/// The number of versions; the latest is version `versions` (versions count from 1).
	pub versions: u32,
	/// The block of the first version.
	pub created_at: BlockNumber,
	/// Active or retracted.
	pub status: RecordStatus<BlockNumber>,
	/// The latest version's salted digest (earlier versions are in `RecordVersions`).
	pub digest: Digest,
	/// The block of the latest version.
	pub updated_at: BlockNumber,
}

/// One version of a record.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct RecordVersion<AccountId, BlockNumber> {
	/// The salted digest of this version's canonical content.
	pub digest: Digest,
	/// Who anchored this version.
	pub author: AccountId,
	/// When.
	pub at: BlockNumber,
}

/// Identifies a Merkle batch.
pub type BatchId = u64;

/// A Merkle batch: one root standing for `leaf_count` record digests.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Batch<AccountId, BlockNumber> {
	/// The root of a `binary-merkle-tree` (blake2-256) over the digests.
	pub root: sp_core::H256,
	/// How many leaves the tree has.
	pub leaf_count: u32,
	/// The provider organisation that anchored it.
	pub author: AccountId,
	/// When.
	pub at: BlockNumber,
}

/// The answer to "is this digest the current content of that record?".
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Verification {
	/// The digest is the record's latest version.
	Valid { version: u32 },
	/// The digest is an older version; `latest` is the current version number.
	Superseded { version: u32, latest: u32 },
	/// The record was retracted (whatever the digest).
	Retracted,
	/// No such record, or the digest was never a version of it.
	Unknown,
}

/// What `RecordsApi::record` returns.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct RecordSummary<AccountId, BlockNumber> {
	/// The record id.
	pub record_id: RecordId,
	/// The anchor.
	pub entry: RecordEntry<AccountId, BlockNumber>,
	/// The latest version.
	pub latest: RecordVersion<AccountId, BlockNumber>,
}

/// One operation of `anchor_many`: the arguments of `anchor`, `amend` or `retract`. An
/// `Amend` names the version it creates (the record's current version + 1), so applying the
/// same operation twice fails (`VersionMismatch`) instead of adding a second version.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum AnchorOp<AccountId> {
	/// Version 1 of the caller's record `local_id` (see `anchor`).
	Anchor {
		/// The author's own key for the record; the id is `record_id_of(author, local_id)`.
		local_id: sp_core::H256,
		/// The patient's account.
		subject: AccountId,
		/// The salted digest of the record's canonical content.
		digest: Digest,
		/// The resource kind code.
		kind: RecordKind,
		/// The record's data category, fixed for its lifetime.
		scope: Scope,
	},
	/// Version `version` of a record (see `amend`); refused unless the record is at
	/// `version - 1`.
	Amend {
		/// The record.
		record_id: RecordId,
		/// The version this operation creates.
		version: u32,
		/// The new version's salted digest.
		digest: Digest,
	},
	/// A tombstone (see `retract`).
	Retract {
		/// The record.
		record_id: RecordId,
		/// Why.
		reason: RetractReason,
	},
}
