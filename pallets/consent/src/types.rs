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
