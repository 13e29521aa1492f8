//! `ConsentApi`: read-only queries the node's `consent_*` RPCs (and any light client) call.

use crate::types::{
	AccessBasis, AccessDenial, BreakGlassAccess, BreakGlassId, BreakGlassTally, Grant,
};
use alloc::vec::Vec;
use codec::Codec;
use healthchain_primitives::{Purpose, Scope};

sp_api::decl_runtime_apis! {
	/// Queries over consents, guardians and break-glass accesses.
	pub trait ConsentApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// Whether `grantee` may access `patient`'s data in `scope` for `purpose` at this
		/// block (a live grant, or an open break-glass window for treatment).
		fn has_access(patient: AccountId, grantee: AccountId, scope: Scope, purpose: Purpose) -> bool;

		/// On which basis `grantee` may access, or why not.
		fn access_basis(
			patient: AccountId,
			grantee: AccountId,
			scope: Scope,
			purpose: Purpose,
		) -> Result<AccessBasis, AccessDenial>;

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
