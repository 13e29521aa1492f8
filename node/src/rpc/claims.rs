//! `claims_*` JSON-RPC methods over the runtime's `ClaimsApi`.
//!
//! - `claims_get(claimId, at?)` → `null` | `{"id","provider","insurer","patient","digest",
//!   "amount","records":[..],"submittedAt","status":{..}}`. Amounts are decimal strings in
//!   plancks (12 decimals; `u128` does not fit a JSON number). `status` is one of
//!   `{"state":"submitted"}`, `{"state":"approved","approved","at"}`,
//!   `{"state":"denied","reason","at"}`, `{"state":"settled","paid","adjudicatedAt"}`,
//!   `{"state":"disputed","paid","reason","at"}`, `{"state":"resolved","paid","award","at"}`,
//!   `{"state":"withdrawn","at"}`.
//! - `claims_of(account, after?, limit?, at?)` → `[claimId, ...]`: the claims the account
//!   submitted or received, at most `limit` (default and cap 100), after claim `after`
//!   (storage order: pass the last id of the previous page).

use std::sync::Arc;

use super::runtime_error;
use healthchain_runtime::{opaque::Block, AccountId, Balance, BlockNumber};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use pallet_claims::{runtime_api::ClaimsApi, ClaimInfo, ClaimStatus};
use serde::Serialize;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::H256;

/// A claim's status, as JSON.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "state", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum StatusJson {
	/// Waiting for the insurer.
	Submitted,
	/// Approved; `approved` is escrowed.
	Approved { approved: String, at: BlockNumber },
	/// Denied with a reason code.
	Denied { reason: u16, at: BlockNumber },
	/// Paid out.
	Settled { paid: String, adjudicated_at: BlockNumber },
	/// Disputed; governance decides.
	Disputed { paid: String, reason: H256, at: BlockNumber },
	/// Dispute resolved.
	Resolved { paid: String, award: String, at: BlockNumber },
	/// Withdrawn by the provider.
	Withdrawn { at: BlockNumber },
}

impl From<ClaimStatus<Balance, BlockNumber>> for StatusJson {
	fn from(s: ClaimStatus<Balance, BlockNumber>) -> Self {
		match s {
			ClaimStatus::Submitted => Self::Submitted,
			ClaimStatus::Approved { approved, at } => {
				Self::Approved { approved: approved.to_string(), at }
			}
			ClaimStatus::Denied { reason, at } => Self::Denied { reason: reason.0, at },
			ClaimStatus::Settled { paid, adjudicated_at } => {
				Self::Settled { paid: paid.to_string(), adjudicated_at }
			}
			ClaimStatus::Disputed { paid, reason, at } => {
				Self::Disputed { paid: paid.to_string(), reason, at }
			}
			ClaimStatus::Resolved { paid, award, at } => {
				Self::Resolved { paid: paid.to_string(), award: award.to_string(), at }
			}
			ClaimStatus::Withdrawn { at } => Self::Withdrawn { at },
		}
	}
}

/// A claim, as JSON.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ClaimJson {
	/// Claim id.
	pub id: u64,
	/// Submitting provider.
	pub provider: AccountId,
	/// Paying insurer.
	pub insurer: AccountId,
	/// Patient.
	pub patient: AccountId,
	/// Digest of the off-chain FHIR Claim.
	pub digest: H256,
	/// Claimed amount in plancks (decimal string).
	pub amount: String,
	/// Supporting record ids.
	pub records: Vec<H256>,
	/// Submission block.
	pub submitted_at: BlockNumber,
	/// Lifecycle state.
	pub status: StatusJson,
}

impl From<ClaimInfo<AccountId, Balance, BlockNumber>> for ClaimJson {
	fn from(c: ClaimInfo<AccountId, Balance, BlockNumber>) -> Self {
		Self {
			id: c.id,
			provider: c.provider,
			insurer: c.insurer,
			patient: c.patient,
			digest: c.digest,
			amount: c.amount.to_string(),
			records: c.records,
			submitted_at: c.submitted_at,
			status: c.status.into(),
		}
	}
}

/// The `claims_*` RPC methods.
#[rpc(server, namespace = "claims")]
pub trait ClaimsRpcApi<BlockHash> {
	/// A claim and its status.
	#[method(name = "get")]
	fn get(&self, claim_id: u64, at: Option<BlockHash>) -> RpcResult<Option<ClaimJson>>;

	/// A page of the claim ids an account submitted or received.
	#[method(name = "of")]
	fn of(
		&self,
		who: AccountId,
		after: Option<u64>,
		limit: Option<u32>,
		at: Option<BlockHash>,
	) -> RpcResult<Vec<u64>>;
}

/// Implements [`ClaimsRpcApiServer`] over a client.
pub struct Claims<C> {
	client: Arc<C>,
}

impl<C> Claims<C> {
	/// An RPC handler over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> ClaimsRpcApiServer<H256> for Claims<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ClaimsApi<Block, AccountId, Balance, BlockNumber>,
{
	fn get(&self, claim_id: u64, at: Option<H256>) -> RpcResult<Option<ClaimJson>> {
		let at = at.unwrap_or_else(|| self.client.info().finalized_hash);
		let claim = self.client.runtime_api().claim(at, claim_id).map_err(runtime_error)?;
		Ok(claim.map(Into::into))
	}

	fn of(
		&self,
		who: AccountId,
		after: Option<u64>,
		limit: Option<u32>,
		at: Option<H256>,
	) -> RpcResult<Vec<u64>> {
		let at = at.unwrap_or_else(|| self.client.info().finalized_hash);
		let limit = limit.unwrap_or(pallet_claims::MAX_PAGE);
		self.client.runtime_api().claims_of(at, who, after, limit).map_err(runtime_error)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn status_json_shapes() {
		let j = serde_json::to_value(StatusJson::from(ClaimStatus::Settled {
			paid: 1_000_000_000_000_000_000_000u128,
			adjudicated_at: 7,
		}))
		.expect("json");
		assert_eq!(
			j,
			serde_json::json!({"state": "settled", "paid": "1000000000000000000000", "adjudicatedAt": 7})
		);
		let j =
			serde_json::to_value(StatusJson::from(ClaimStatus::<Balance, BlockNumber>::Submitted))
				.expect("json");
		assert_eq!(j, serde_json::json!({"state": "submitted"}));
	}
}
