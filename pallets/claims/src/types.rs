//! Types stored and returned by the claims pallet. The claim document (FHIR `Claim`) stays
//! off-chain: the chain keeps its salted digest, the amount, the parties, the supporting record
//! ids and where the claim is in its lifecycle. Reason codes are numbers, never text.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use healthchain_primitives::{Digest, RecordId};
use scale_info::TypeInfo;

/// Identifies a claim (sequential from 0).
pub type ClaimId = u64;

/// Why an insurer denied a claim: a numeric adjudication reason code agreed off-chain (e.g. an
/// X12 Claim Adjustment Reason Code, as FHIR `ClaimResponse.adjudication.reason` carries it).
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
pub struct ReasonCode(pub u16);

/// An insurer's decision on a claim (FHIR `ClaimResponse.outcome` + `payment.amount`).
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
pub enum Decision<Balance> {
	/// Pay the claimed amount in full.
	Approve,
	/// Pay part of it (more than zero, at most the claimed amount).
	Partial(Balance),
	/// Pay nothing, for this reason.
	Deny(ReasonCode),
}

/// Where a claim is in its lifecycle. Terminal states: `Settled` (paid in full),
/// `Withdrawn`, `Resolved`; `Denied` and partly paid `Settled` claims end when their dispute
/// window closes. See docs/claims.md for the diagram.
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
pub enum ClaimStatus<Balance, BlockNumber> {
	/// Waiting for the insurer's decision.
	Submitted,
	/// Approved (in full or in part): `approved` is held in escrow on the insurer's account.
	Approved { approved: Balance, at: BlockNumber },
	/// Denied with a reason code at block `at`.
	Denied { reason: ReasonCode, at: BlockNumber },
	/// The escrow was paid to the provider (`paid`); `adjudicated_at` opens the dispute window
	/// when the payment was partial.
	Settled { paid: Balance, adjudicated_at: BlockNumber },
	/// The provider disputed (or escalated an overdue claim); governance decides. `paid` is
	/// what the provider has received so far.
	Disputed { paid: Balance, reason: Digest, at: BlockNumber },
	/// Governance resolved the dispute: the provider received `paid` in all, `award` of it by
	/// the resolution.
	Resolved { paid: Balance, award: Balance, at: BlockNumber },
	/// The provider withdrew the claim before adjudication.
	Withdrawn { at: BlockNumber },
}

/// A claim as stored.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxRecords))]
// The `NoBound` derives restate the generics' bounds on the fields; the bounds are needed here
// because `MaxRecords` (a `Get` type) is neither `Clone` nor `Debug`.
#[allow(clippy::multiple_bound_locations)]
pub struct Claim<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxRecords: Get<u32>,
> {
	/// The provider organisation that submitted it (FHIR `Claim.provider`).
	pub provider: AccountId,
	/// The insurer asked to pay (FHIR `Claim.insurer`).
	pub insurer: AccountId,
	/// The patient (FHIR `Claim.patient`; a pseudonymous account).
	pub patient: AccountId,
	/// blake2-256 over a salt and the canonical FHIR `Claim` document kept off-chain.
	pub digest: Digest,
	/// The amount claimed (FHIR `Claim.total`).
	pub amount: Balance,
	/// The anchored records supporting the claim (FHIR `Claim.supportingInfo`).
	pub records: BoundedVec<RecordId, MaxRecords>,
	/// The block it was submitted at (FHIR `Claim.created`).
	pub submitted_at: BlockNumber,
	/// Where it is in its lifecycle.
	pub status: ClaimStatus<Balance, BlockNumber>,
}

/// A claim as the runtime API returns it (records as a plain list).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ClaimInfo<AccountId, Balance, BlockNumber> {
	/// The claim id.
	pub id: ClaimId,
	/// The provider organisation that submitted it.
	pub provider: AccountId,
	/// The insurer asked to pay.
	pub insurer: AccountId,
	/// The patient.
	pub patient: AccountId,
	/// Digest of the off-chain FHIR Claim.
	pub digest: Digest,
	/// The amount claimed.
	pub amount: Balance,
	/// The supporting records.
	pub records: Vec<RecordId>,
	/// The block it was submitted at.
	pub submitted_at: BlockNumber,
	/// Where it is in its lifecycle.
	pub status: ClaimStatus<Balance, BlockNumber>,
}
