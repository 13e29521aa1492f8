//! Genesis presets, selectable with `--chain dev`, `--chain local`, `--chain consortium-template`
//! (or `build-spec --chain ...`). The node builds every chain spec from these presets, so the
//! genesis state is defined once, here, in the runtime.
//!
//! | preset | validators | sudo | endowed |
//! |---|---|---|---|
//! | `development` | Alice | Alice | the well-known dev accounts |
//! | `local_testnet` | Alice, Bob, Charlie | Alice (until the council lands) | the well-known dev accounts |
//! | `consortium_template` | four placeholder founding members | none | founding members |
//!
//! The consortium template is a starting point for a real network: export it with
//! `healthchain-node build-spec --chain consortium-template > consortium.json`, replace the
//! placeholder keys and balances with the founding members' own, then produce the raw spec with
//! `build-spec --chain consortium.json --raw` (see docs/operators.md).

use crate::{AccountId, BalancesConfig, RuntimeGenesisConfig, SudoConfig, UNIT};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Preset id of the consortium template.
pub const CONSORTIUM_TEMPLATE_PRESET: &str = "consortium_template";

/// What every dev account holds at genesis: 1,000,000 HLTH.
pub const DEV_ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// What each founding member of the consortium template holds at genesis: 10,000 HLTH.
pub const FOUNDER_ENDOWMENT: crate::Balance = 10_000 * UNIT;

/// A validator's keys in genesis: Aura (sr25519) and GRANDPA (ed25519).
type AuthorityKeys = (AuraId, GrandpaId);

fn authority(sr: Sr25519Keyring, ed: Ed25519Keyring) -> AuthorityKeys {
	(sr.public().into(), ed.public().into())
}

fn genesis(
	initial_authorities: Vec<AuthorityKeys>,
	endowed_accounts: Vec<(AccountId, crate::Balance)>,
	root: Option<AccountId>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances: endowed_accounts },
		aura: pallet_aura::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: initial_authorities.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: root },
	})
}

fn dev_endowments() -> Vec<(AccountId, crate::Balance)> {
	Sr25519Keyring::well_known().map(|k| (k.to_account_id(), DEV_ENDOWMENT)).collect()
}

/// `development`: Alice authors and finalizes alone; Alice is sudo.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_endowments(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// `local_testnet`: Alice, Bob and Charlie validate (GRANDPA needs 2 of 3 to finalize).
pub fn local_testnet_genesis() -> Value {
	genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		dev_endowments(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// `consortium_template`: four founding members, no sudo key. The keys are the well-known
/// dev keys as *placeholders*: a real network must replace them before launch.
pub fn consortium_template_genesis() -> Value {
	let founders = [
		(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	];
	genesis(
		founders.iter().map(|(sr, ed)| authority(*sr, *ed)).collect(),
		founders.iter().map(|(sr, _)| (sr.to_account_id(), FOUNDER_ENDOWMENT)).collect(),
		None,
	)
}

/// Provides the JSON representation of the preset with the given id.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(),
		CONSORTIUM_TEMPLATE_PRESET => consortium_template_genesis(),
		_ => return None,
	};
	// Serializing a `Value` does not fail; `ok()` keeps panics out of runtime code regardless.
	serde_json::to_vec(&patch).ok()
}

/// The ids of the presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(CONSORTIUM_TEMPLATE_PRESET),
	]
}
