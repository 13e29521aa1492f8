//! The node's JSON-RPC extensions (on top of the standard `system_*`, `chain_*`, `state_*`,
//! `author_*` methods that sc-service always serves).
//!
//! Healthchain's own RPC modules (`records_*`, `consent_*`, `claims_*`) are merged in
//! [`create_full`], in the block marked "Healthchain RPCs": each is a jsonrpsee module over a
//! runtime API, built from the same [`FullDeps`].

#![warn(missing_docs)]

pub mod claims;
pub mod consent;
pub mod records;

use std::sync::Arc;

use healthchain_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Nonce};
use jsonrpsee::RpcModule;
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// Error code of every Healthchain RPC whose runtime API call failed (e.g. an unknown block hash).
pub const RUNTIME_ERROR: i32 = 1;

/// The JSON-RPC error for a failed runtime API call, with the cause as data.
pub(crate) fn runtime_error(e: impl std::fmt::Debug) -> jsonrpsee::types::ErrorObjectOwned {
	jsonrpsee::types::ErrorObject::owned(
		RUNTIME_ERROR,
		"Runtime API call failed",
		Some(format!("{e:?}")),
	)
}

/// Everything an RPC module may need.
pub struct FullDeps<C, P> {
	/// The client instance to use.
	pub client: Arc<C>,
	/// Transaction pool instance.
	pub pool: Arc<P>,
}

/// Instantiate all full RPC extensions.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>,
	C: HeaderBackend<Block> + HeaderMetadata<Block, Error = BlockChainError> + 'static,
	C: Send + Sync + 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: pallet_records::runtime_api::RecordsApi<Block, AccountId, BlockNumber>,
	C::Api: pallet_consent::runtime_api::ConsentApi<Block, AccountId, BlockNumber>,
	C::Api: pallet_claims::runtime_api::ClaimsApi<Block, AccountId, Balance, BlockNumber>,
	P: TransactionPool + 'static,
{
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;

	// Standard FRAME RPCs: account nonces (`system_accountNextIndex`) and fee queries
	// (`payment_queryInfo`, `payment_queryFeeDetails`).
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client.clone()).into_rpc())?;

	// --- Healthchain RPCs ---
	// `records_*`, `consent_*`, `claims_*` (see `records.rs`, `consent.rs`, `claims.rs` for
	// the JSON shapes).
	{
		use claims::{Claims, ClaimsRpcApiServer};
		use consent::{Consent, ConsentRpcApiServer};
		use records::{Records, RecordsRpcApiServer};
		module.merge(Records::new(client.clone()).into_rpc())?;
		module.merge(Consent::new(client.clone()).into_rpc())?;
		module.merge(Claims::new(client).into_rpc())?;
	}

	Ok(module)
}
