//! The traits pallets couple through. Each has a `()` implementation that answers "no", which
//! is the safe default for a runtime that has not wired the answering pallet yet.

use crate::{Purpose, RecordId, Role, Roles, Scope};
use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Who may act as a provider organisation, and in which role.
pub trait ProviderRegistry<AccountId> {
	/// The roles `who` may exercise now: empty unless `who` is an active organisation
	/// (approved, not suspended or revoked, credential not expired).
	fn active_roles(who: &AccountId) -> Roles;

	/// Whether `who` is an active organisation holding `role`.
	fn is_active(who: &AccountId, role: Role) -> bool {
		Self::active_roles(who).contains(role)
	}

	/// Whether `who` is an active organisation, whatever its roles.
	fn is_active_any(who: &AccountId) -> bool {
		!Self::active_roles(who).is_empty()
	}

	/// Make `who` an active organisation with `roles`, for benchmarks of pallets that need
	/// one. The registry pallet implements it by writing its storage directly.
	#[cfg(feature = "runtime-benchmarks")]
	fn make_active_for_benchmarks(_who: &AccountId, _roles: Roles) {}
}

impl<AccountId> ProviderRegistry<AccountId> for () {
	fn active_roles(_: &AccountId) -> Roles {
		Roles::empty()
	}
}

/// What other pallets may learn about an anchored record.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct RecordInfo<AccountId> {
	/// The patient the record is about.
	pub subject: AccountId,
	/// The provider organisation that anchored it.
	pub author: AccountId,
	/// The record's data category, fixed when it was anchored: every access to the record is
	/// checked against this scope, never against a scope the caller names.
	pub scope: Scope,
	/// Whether it has been retracted (a tombstone).
	pub retracted: bool,
}

/// Look-up of anchored records.
pub trait RecordRegistry<AccountId> {
	/// The record's subject, author and status, if it exists.
	fn record_info(id: &RecordId) -> Option<RecordInfo<AccountId>>;

	/// Make record `id` exist with `info`, for benchmarks of pallets that need one. The
	/// records pallet implements it by writing its storage directly.
	#[cfg(feature = "runtime-benchmarks")]
	fn insert_for_benchmarks(_id: &RecordId, _info: RecordInfo<AccountId>) {}
}

impl<AccountId> RecordRegistry<AccountId> for () {
	fn record_info(_: &RecordId) -> Option<RecordInfo<AccountId>> {
		None
	}
}

/// Whether a patient's consent covers an access at the current block.
pub trait ConsentCheck<AccountId> {
	/// Whether `grantee` may access `patient`'s data in `scope` for `purpose` now.
	fn has_access(patient: &AccountId, grantee: &AccountId, scope: Scope, purpose: Purpose)
		-> bool;

	/// Whether `accessor` may access record `record_id` for `purpose` now, by the chain's one
	/// access rule: an active provider, the record not retracted, and a live grant from the
	/// record's subject covering **the record's own scope** and `purpose` (or an open
	/// break-glass window for treatment).
	fn may_access_record(accessor: &AccountId, record_id: &RecordId, purpose: Purpose) -> bool;

	/// Make `patient` grant `grantee` `scope` for `purpose`, for benchmarks of pallets that
	/// need a consent. The consent pallet implements it with a real grant.
	#[cfg(feature = "runtime-benchmarks")]
	fn grant_for_benchmarks(
		_patient: &AccountId,
		_grantee: &AccountId,
		_scope: Scope,
		_purpose: Purpose,
	) {
	}
}

impl<AccountId> ConsentCheck<AccountId> for () {
	fn has_access(_: &AccountId, _: &AccountId, _: Scope, _: Purpose) -> bool {
		false
	}

	fn may_access_record(_: &AccountId, _: &RecordId, _: Purpose) -> bool {
		false
	}
}

/// Consequences governance attaches to a provider's conduct, applied by the registry.
pub trait ProviderDiscipline<AccountId> {
	/// Suspend `who` (an active organisation) for cause, e.g. repeated unjustified
	/// break-glass use. Does nothing if `who` is not active. Returns whether it was suspended.
	fn suspend_for_cause(who: &AccountId) -> bool;
}

impl<AccountId> ProviderDiscipline<AccountId> for () {
	fn suspend_for_cause(_: &AccountId) -> bool {
		false
	}
}

/// Whether an organisation still owes something that its registration stands behind (open
/// claims as a provider or an insurer): such an organisation cannot deregister.
pub trait OpenObligations<AccountId> {
	/// How many open obligations `who` has (0 = free to leave).
	fn open_obligations(who: &AccountId) -> u32;
}

impl<AccountId> OpenObligations<AccountId> for () {
	fn open_obligations(_: &AccountId) -> u32 {
		0
	}
}
