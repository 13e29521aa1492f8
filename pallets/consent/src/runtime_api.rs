//! `ConsentApi`: read-only queries the node's `consent_*` RPCs (and any light client) call.

use crate::types::{
	AccessBasis, AccessDenial, BreakGlassAccess, BreakGlassId, BreakGlassTally, Grant,
};
use alloc::vec::Vec;
use codec::Codec;
use healthchain_primitives::{Purpose, RecordId, Scope};

sp_api::decl_runtime_apis! {
	/// Queries over consents, guardians and break-glass accesses.
	#[api_version(2)]
	pub trait ConsentApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// Whether `grantee` may access `patient`'s data in `scope` for `purpose` at this
		/// block (a live grant, or an open break-glass window for treatment).
		fn has_access(patient: AccountId, grantee: AccountId, scope: Scope, purpose: Purpose) -> bool;

		/// On which basis `grantee` may access, or why not (the chain's one access rule:
		/// provider status, consent or break-glass window, scope and purpose).
		fn access_basis(
			patient: AccountId,
			grantee: AccountId,
			scope: Scope,
			purpose: Purpose,
		) -> Result<AccessBasis, AccessDenial>;

		/// Whether `accessor` may access record `record_id` for `purpose` at this block, by
		/// the same rule, with the record's own scope: the record's subject, its scope and the
		/// basis, or why not (`UnknownRecord`, `RecordRetracted`, ...). What a gateway asks
		/// before releasing a record.
		#[api_version(2)]
		fn record_access(
			accessor: AccountId,
			record_id: RecordId,
			purpose: Purpose,
		) -> Result<(AccountId, Scope, AccessBasis), AccessDenial>;

		/// The patient's grants, by grantee (at most `MaxGrantsPerPatient`).
		fn grants_of(patient: AccountId) -> Vec<(AccountId, Grant<AccountId, BlockNumber>)>;

		/// The patient's guardians.
		fn guardians_of(patient: AccountId) -> Vec<AccountId>;

		/// A break-glass access.
		fn break_glass(id: BreakGlassId) -> Option<BreakGlassAccess<AccountId, BlockNumber>>;

		/// A provider's break-glass tally (opened, justified, unjustified).
		fn break_glass_tally(provider: AccountId) -> BreakGlassTally;
	}
}
