//! Chain specifications. Every built-in spec is the runtime's own genesis preset (see
//! `healthchain_runtime::genesis_config_presets`) plus the chain properties wallets need.

use healthchain_runtime::{
	genesis_config_presets::CONSORTIUM_TEMPLATE_PRESET, SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL,
	WASM_BINARY,
};
use sc_service::ChainType;

/// The chain spec type of this node (no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token symbol, decimals and SS58 format, so polkadot-js apps shows balances and addresses
/// correctly without any manual settings.
pub(crate) fn properties() -> sc_service::Properties {
	let mut p = sc_service::Properties::new();
	p.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	p.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	p.insert("ss58Format".into(), SS58_PREFIX.into());
	p
}

pub(crate) fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| "Development wasm not available (built with SKIP_WASM_BUILD?)".into())
}

/// `--dev`: one validator (Alice), sudo Alice.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Healthchain Development")
		.with_id("healthchain_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: Alice, Bob and Charlie validate.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Healthchain Local Testnet")
		.with_id("healthchain_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain consortium-template`: the shape of a consortium network, with the well-known dev
/// keys as placeholders. The node refuses to run it (a `Live` chain with public keys); a real
/// network's spec comes from `healthchain-node consortium new` (docs/operators.md).
pub fn consortium_template_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Healthchain Consortium")
		.with_id("healthchain_consortium")
		.with_chain_type(ChainType::Live)
		.with_genesis_config_preset_name(CONSORTIUM_TEMPLATE_PRESET)
		.with_properties(properties())
		.build())
}
