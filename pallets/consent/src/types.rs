//! Types stored and returned by the consent pallet. None of them can hold personal data:
//! accounts are pseudonymous, scopes and purposes are bit sets, reasons and verdicts are small
//! codes, and the consent document itself stays off-chain (only its salted digest is kept).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::PalletError;
use healthchain_primitives::{Digest, Purpose, Purposes, RecordId, Scope, Scopes};
use scale_info::TypeInfo;

/// Identifies a break-glass access (sequential from 0).
pub type BreakGlassId = u64;

/// A patient's consent for one grantee: which data, for which purposes, until when.
///
/// Maps to HL7 FHIR `Consent` as: `decision = permit`, `provision.actor` = the grantee,
/// `provision.securityLabel`/`class` = `scopes`, `provision.purpose` = `purposes`,
/// `provision.period.end` = `expires_at`, `sourceReference` = `consent_digest`.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct Grant<AccountId, BlockNumber> {
	/// The data categories the grant covers (never empty).
	pub scopes: Scopes,
	/// The purposes of use the grant covers (never empty).
	pub purposes: Purposes,
	/// The block the grant was made or last updated at.
	pub granted_at: BlockNumber,
	/// The first block at which the grant no longer gives access.
	pub expires_at: BlockNumber,
	/// Who made the grant: the patient, or a guardian acting for the patient.
	pub granted_by: AccountId,
	/// blake2-256 over a salt and the signed FHIR Consent document kept off-chain, if any.
	pub consent_digest: Option<Digest>,
}

impl<AccountId, BlockNumber: PartialOrd> Grant<AccountId, BlockNumber> {
	/// Whether the grant is in force at block `now` (`expires_at` is exclusive).
	pub fn is_live(&self, now: &BlockNumber) -> bool {
		*now < self.expires_at
	}

	/// Whether the grant covers `scope` for `purpose` (regardless of expiry).
	pub fn covers(&self, scope: Scope, purpose: Purpose) -> bool {
		self.scopes.contains(scope) && self.purposes.contains(purpose)
	}
}

/// Why an emergency provider broke the glass: a code, never text. Details stay in the
/// provider's own incident record.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub enum BreakGlassReason {
	/// The patient is unconscious or otherwise cannot consent.
	PatientUnableToConsent,
	/// An immediate threat to the patient's life or health.
	LifeThreatening,
	/// A public-health emergency declared by the authorities.
	PublicHealthEmergency,
	/// Any other emergency, documented in the provider's incident record.
	Other,
}

/// The governance review of a break-glass access.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub enum Review {
	/// Not reviewed yet.
	Pending,
	/// The emergency justified the access.
	Justified,
	/// The access was not justified.
	Unjustified,
}

/// The verdict governance gives on a break-glass access.
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
pub enum Verdict {
	/// The emergency justified the access.
	Justified,
	/// The access was not justified.
	Unjustified,
}

impl From<Verdict> for Review {
	fn from(v: Verdict) -> Self {
		match v {
			Verdict::Justified => Review::Justified,
			Verdict::Unjustified => Review::Unjustified,
		}
	}
}

/// One break-glass access, kept forever as an audit fact.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct BreakGlassAccess<AccountId, BlockNumber> {
	/// The patient whose records were opened.
	pub patient: AccountId,
	/// The emergency provider organisation.
	pub provider: AccountId,
	/// Why.
	pub reason: BreakGlassReason,
	/// The block the window opened at.
	pub opened_at: BlockNumber,
	/// The first block at which the window is closed: its scheduled end, or the block it was
	/// closed at early (by the patient, a guardian, governance or an unjustified verdict).
	pub expires_at: BlockNumber,
	/// The governance review.
	pub review: Review,
}

/// How often a provider broke the glass and how the reviews went: repeated unjustified use
/// is visible per provider.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct BreakGlassTally {
	/// Break-glass windows opened.
	pub opened: u32,
	/// Reviewed as justified.
	pub justified: u32,
	/// Reviewed as unjustified.
	pub unjustified: u32,
}

/// The open break-glass window of a provider on a patient.
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
pub struct OpenWindow<BlockNumber> {
	/// The break-glass access.
	pub id: BreakGlassId,
	/// The first block at which the window is closed.
	pub expires_at: BlockNumber,
}

/// What lets an access happen; recorded in `AccessLogged`.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub enum AccessBasis {
	/// A live grant by the patient (or a guardian) covers the scope and purpose.
	Consent,
	/// An open break-glass window (emergency treatment).
	BreakGlass(BreakGlassId),
}

/// One access a gateway logs in `log_access_batch`.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct AccessEntry<AccountId> {
	/// The patient whose record is accessed.
	pub patient: AccountId,
	/// The record accessed (its own scope is the category checked).
	pub record_id: RecordId,
	/// The purpose of the access.
	pub purpose: Purpose,
}

/// One disclosure a custodian records in `record_disclosures`: it released `record_id` of
/// `patient` to `recipient` for `purpose`, having checked the recipient's access against the
/// chain's state at block `checked_at` (a finalized block, at or before the recording block).
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct DisclosureEntry<AccountId, BlockNumber> {
	/// The organisation the record was released to.
	pub recipient: AccountId,
	/// The patient the record is about.
	pub patient: AccountId,
	/// The record released.
	pub record_id: RecordId,
	/// The purpose the recipient declared.
	pub purpose: Purpose,
	/// The block whose state the discloser checked the access against.
	pub checked_at: BlockNumber,
}

/// Why a `record_disclosures` entry cannot be recorded (the reason inside
/// `Error::InvalidDisclosure`): the entry itself is wrong, whatever the recipient's access.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, PalletError,
)]
pub enum DisclosureFault {
	/// No record with this id is anchored.
	UnknownRecord,
	/// The record is about another patient than the entry names.
	RecordNotOfPatient,
	/// `checked_at` is after the block recording the disclosure.
	CheckedInFuture,
	/// The recipient is the discloser itself: that is not a disclosure.
	RecipientIsDiscloser,
}

/// Why an access was refused (the reason inside `Error::BatchEntryDenied`). The single-access
/// call returns the error of the same name.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, PalletError,
)]
pub enum AccessDenial {
	/// No grant from the patient to the accessor, and no open break-glass window.
	ConsentMissing,
	/// The grant has expired.
	ConsentExpired,
	/// The grant does not cover the scope.
	ScopeNotGranted,
	/// The grant does not cover the purpose.
	PurposeNotGranted,
	/// The record is not anchored.
	UnknownRecord,
	/// The record is about another patient.
	RecordNotOfPatient,
	/// The record was retracted (wrong patient, erasure request): it is no longer disclosed.
	RecordRetracted,
	/// The accessor is not an active provider organisation (unknown, pending, suspended,
	/// revoked or with a lapsed credential): nothing it holds gives access.
	NotActiveProvider,
}

/// Why a break-glass window closed; recorded in `BreakGlassClosed`.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub enum CloseCause {
	/// It reached its end (`BreakGlassDuration`).
	Expired,
	/// The patient closed it.
	Patient,
	/// One of the patient's guardians closed it.
	Guardian,
	/// Governance closed it.
	Governance,
	/// Governance reviewed it as unjustified while it was open.
	Unjustified,
}

/// A provider's break-glass use in the current rate-limit period.
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
pub struct BreakGlassUse<BlockNumber> {
	/// The first block of the period (a multiple of `BreakGlassPeriod`).
	pub period_start: BlockNumber,
	/// Windows opened in it.
	pub opened: u32,
}

/// What `ExpiryQueue` entries stand for.
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
pub enum Expiring {
	/// The grant of (patient, grantee).
	Grant,
	/// The break-glass window of (patient, provider).
	BreakGlass,
}

/// What a patient (or a guardian) signs to act without paying a fee: one of the patient calls
/// of the pallet. Sent in [`PatientPayload`] to `patient_call`, either as a fee-less general
/// transaction (quota, per-block cap) or relayed by any account that pays the fee.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum PatientAction<AccountId, BlockNumber> {
	/// As `grant`: the signer grants `grantee`.
	Grant {
		grantee: AccountId,
		scopes: Scopes,
		purposes: Purposes,
		expires_at: Option<BlockNumber>,
		consent_digest: Option<Digest>,
	},
	/// As `revoke`: the signer revokes its grant to `grantee`.
	Revoke { grantee: AccountId },
	/// As `add_guardian`.
	AddGuardian { guardian: AccountId },
	/// As `remove_guardian`.
	RemoveGuardian { guardian: AccountId },
	/// As `grant_for`: the signer, a guardian of `patient`, grants for the ward.
	GrantFor {
		patient: AccountId,
		grantee: AccountId,
		scopes: Scopes,
		purposes: Purposes,
		expires_at: Option<BlockNumber>,
		consent_digest: Option<Digest>,
	},
	/// As `revoke_for`: the signer, a guardian of `patient`, revokes for the ward.
	RevokeFor { patient: AccountId, grantee: AccountId },
	/// As `close_break_glass`: the signer (the patient or a guardian) closes `provider`'s
	/// open window on `patient`.
	CloseBreakGlass { patient: AccountId, provider: AccountId },
}

impl<AccountId, BlockNumber> PatientAction<AccountId, BlockNumber> {
	/// Whether the action withdraws access (revoke, remove a guardian, close a break-glass
	/// window). Withdrawals never count against the fee-less quota and have their own
	/// per-block allowance: revoking is never harder than granting.
	pub fn is_withdrawal(&self) -> bool {
		matches!(
			self,
			Self::Revoke { .. }
				| Self::RemoveGuardian { .. }
				| Self::RevokeFor { .. }
				| Self::CloseBreakGlass { .. }
		)
	}
}

/// A patient call signed by the patient's (or guardian's) own key.
///
/// The key signs `PATIENT_PAYLOAD_CONTEXT ++ genesis hash ++ SCALE(payload)` (or the same bytes
/// wrapped in `<Bytes>`…`</Bytes>`, as browser wallets' `signRaw` does). `nonce` must be the
/// signer's next patient-call nonce (`PatientNonces`), so a payload is used at most once;
/// `valid_until` is the last block at which it may be included.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct PatientPayload<AccountId, BlockNumber> {
	/// The account whose key signed the payload and on whose behalf the action runs.
	pub signer: AccountId,
	/// The signer's patient-call nonce this payload uses.
	pub nonce: u32,
	/// The last block at which the payload may be included (its expiry).
	pub valid_until: BlockNumber,
	/// What to do.
	pub action: PatientAction<AccountId, BlockNumber>,
}

/// Domain separation of the signed patient payload (never valid as any other signed message).
pub const PATIENT_PAYLOAD_CONTEXT: &[u8] = b"healthchain/patient-call/v1";

/// The bytes a patient signs for `payload` on the chain with genesis hash `genesis`.
pub fn patient_payload_message(genesis: &[u8], payload: &impl Encode) -> alloc::vec::Vec<u8> {
	let mut m = alloc::vec::Vec::with_capacity(PATIENT_PAYLOAD_CONTEXT.len() + 32 + 128);
	m.extend_from_slice(PATIENT_PAYLOAD_CONTEXT);
	m.extend_from_slice(genesis);
	payload.encode_to(&mut m);
	m
}

/// A signer's fee-less use in the current quota period.
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
pub struct FeelessUse<BlockNumber> {
	/// The first block of the period the count is for.
	pub period_start: BlockNumber,
	/// Fee-less non-withdrawal calls included in that period.
	pub used: u32,
}

/// Fee-less calls included in one block, by kind (the per-block caps).
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
pub struct FeelessBlock<BlockNumber> {
	/// The block the counts are for (counts of an earlier block read as zero).
	pub block: BlockNumber,
	/// Fee-less grants, updates and guardian additions included in the block.
	pub operations: u32,
	/// Fee-less withdrawals included in the block.
	pub withdrawals: u32,
}

/// Why a fee-less patient call is refused before inclusion: the code of
/// `InvalidTransaction::Custom(code)` (the RPC error reads "Custom error: <code>"). Replays and
/// forged signatures use the standard `Stale` ("Transaction is outdated") and `BadProof`
/// ("Transaction has a bad signature"); a full block `ExhaustsResources` (retried next block).
pub mod feeless_refusal {
	/// The payload's `valid_until` is in the past.
	pub const PAYLOAD_EXPIRED: u8 = 1;
	/// The payload's `valid_until` is further ahead than `MaxPayloadLifetime`.
	pub const PAYLOAD_LIFETIME_TOO_LONG: u8 = 2;
	/// The signer used its fee-less quota for this period (withdrawals are still admitted).
	pub const QUOTA_EXHAUSTED: u8 = 3;
	/// A withdrawal of nothing: no such grant, guardian or open window.
	pub const NOTHING_TO_WITHDRAW: u8 = 4;
	/// The names of the codes, for clients.
	pub const NAMES: [(u8, &str); 4] = [
		(PAYLOAD_EXPIRED, "PayloadExpired"),
		(PAYLOAD_LIFETIME_TOO_LONG, "PayloadLifetimeTooLong"),
		(QUOTA_EXHAUSTED, "FeelessQuotaExhausted"),
		(NOTHING_TO_WITHDRAW, "NothingToWithdraw"),
	];
}
