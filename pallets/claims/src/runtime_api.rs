//! `ClaimsApi`: read-only queries the node's `claims_*` RPCs (and any light client) call.

use crate::types::{ClaimId, ClaimInfo};
use alloc::vec::Vec;
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// Queries over billing claims.
	pub trait ClaimsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A claim with its status.
		fn claim(claim_id: ClaimId) -> Option<ClaimInfo<AccountId, Balance, BlockNumber>>;

		/// The ids of claims `who` submitted (as provider) or received (as insurer): at most
		/// `limit` (capped at 100), after claim `after` in storage order.
		fn claims_of(who: AccountId, after: Option<ClaimId>, limit: u32) -> Vec<ClaimId>;
	}
}
