//! Genesis presets, selectable with `--chain dev`, `--chain local`, `--chain consortium-template`
//! (or `build-spec --chain ...`). The node builds every chain spec from these presets, so the
//! genesis state is defined once, here, in the runtime.
//!
//! | preset | validators | sudo | endowed | provider organisations |
//! |---|---|---|---|---|
//! | `development` | Alice | Alice | the well-known dev accounts | Alice (Hospital+Emergency), Bob (Clinic+Lab), Charlie (Insurer) |
//! | `local_testnet` | Alice, Bob, Charlie | none | the well-known dev accounts | as `development` |
//! | `consortium_template` | four placeholder founders | none | founders | the four founders |
//!
//! The council is Alice, Bob and Charlie in `development` and `local_testnet`, the four founders
//! in `consortium_template`.
//!
//! The consortium template shows the shape of a real network with placeholder (well-known)
//! keys; a real network's raw spec is generated with `healthchain-node consortium new
//! --founders founders.json` from the founding members' own keys ([`consortium_genesis`], see
//! docs/operators.md). The node refuses to run a `Live` chain whose authorities are
//! well-known development keys.

use crate::{
	AccountId, BalancesConfig, BlockNumber, ProvidersConfig, RuntimeGenesisConfig, SessionConfig,
	SessionKeys, SudoConfig, ValidatorSetConfig, DAYS, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use healthchain_primitives::{Role, Roles};
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

/// A genesis validator: its account and its session keys, Aura (sr25519) and GRANDPA (ed25519).
type AuthorityKeys = (AccountId, AuraId, GrandpaId);

fn authority(sr: Sr25519Keyring, ed: Ed25519Keyring) -> AuthorityKeys {
	(sr.to_account_id(), sr.public().into(), ed.public().into())
}

/// Session length of the development and local presets: 10 blocks (30 s at 3 s per block), so
/// tests can watch a validator-set change (it takes effect two rotations after the decision).
pub const DEV_SESSION_LENGTH: BlockNumber = 10;

/// Session length of the consortium template: one hour.
pub const CONSORTIUM_SESSION_LENGTH: BlockNumber = crate::HOURS;

/// How long genesis organisations' credentials are valid: one year.
pub const GENESIS_CREDENTIAL_VALIDITY: BlockNumber = 365 * DAYS;

/// A provider organisation active from genesis: account, roles, credential digest, expiry.
type GenesisProvider = (AccountId, Roles, sp_core::H256, BlockNumber);

/// A placeholder credential digest (blake2-256 of a label): real organisations put the salted
/// digest of their licence here.
fn credential(label: &str) -> sp_core::H256 {
	<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(label.as_bytes())
}

/// The dev/local organisations: Alice a hospital with emergency rights, Bob a clinic and lab,
/// Charlie an insurer.
fn dev_providers() -> Vec<GenesisProvider> {
	vec![
		(
			Sr25519Keyring::Alice.to_account_id(),
			Roles::from_items(&[Role::Hospital, Role::Emergency]),
			credential("credential:alice"),
			GENESIS_CREDENTIAL_VALIDITY,
		),
		(
			Sr25519Keyring::Bob.to_account_id(),
			Roles::from_items(&[Role::Clinic, Role::Lab]),
			credential("credential:bob"),
			GENESIS_CREDENTIAL_VALIDITY,
		),
		(
			Sr25519Keyring::Charlie.to_account_id(),
			Roles::from(Role::Insurer),
			credential("credential:charlie"),
			GENESIS_CREDENTIAL_VALIDITY,
		),
	]
}

/// How far apart the consortium founders' genesis credentials expire: 30 days.
pub const CREDENTIAL_STAGGER: BlockNumber = 30 * crate::DAYS;

fn genesis(
	initial_authorities: Vec<AuthorityKeys>,
	endowed_accounts: Vec<(AccountId, crate::Balance)>,
	root: Option<AccountId>,
	providers: Vec<GenesisProvider>,
	council: Vec<AccountId>,
	session_length: BlockNumber,
) -> Value {
	// Aura's and GRANDPA's genesis authorities stay empty: pallet-session hands them the
	// validators' keys (`on_genesis_session`).
	// The treasury account receives every fee: it exists from genesis (one existential
	// deposit), so the first fees paid are kept, not dropped into a missing account.
	let mut endowed_accounts = endowed_accounts;
	endowed_accounts
		.push((crate::configs::monetary::TreasuryAccount::get(), crate::EXISTENTIAL_DEPOSIT));
	let mut patch = build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances: endowed_accounts },
		providers: ProvidersConfig { providers },
		validator_set: ValidatorSetConfig {
			initial_validators: initial_authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
			session_length,
		},
		session: SessionConfig {
			keys: initial_authorities
				.iter()
				.map(|(who, aura, grandpa)| {
					(
						who.clone(),
						who.clone(),
						SessionKeys { aura: aura.clone(), grandpa: grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: root },
	});
	// The council's members are set through its membership pallet, which initializes the
	// collective (`MembershipInitialized = Council`).
	if let Some(obj) = patch.as_object_mut() {
		obj.insert("councilMembership".into(), serde_json::json!({ "members": council }));
	}
	patch
}

/// The dev/local council: Alice, Bob and Charlie (2/3 = two of them).
fn dev_council() -> Vec<AccountId> {
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie]
		.iter()
		.map(|k| k.to_account_id())
		.collect()
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
		dev_providers(),
		dev_council(),
		DEV_SESSION_LENGTH,
	)
}

/// `local_testnet`: Alice, Bob and Charlie validate (GRANDPA needs all three to finalize:
/// its threshold is `n - (n - 1) / 3`). No sudo: root is reached through the council.
pub fn local_testnet_genesis() -> Value {
	genesis(
		vec![
			authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		dev_endowments(),
		None,
		dev_providers(),
		dev_council(),
		DEV_SESSION_LENGTH,
	)
}

/// A founding member of a consortium network: its organisation account, its validator's
/// session keys, its provider roles and credential, and what it holds at genesis. The
/// `healthchain-node consortium new` command builds these from the founders' own keys.
#[derive(Clone, Debug)]
pub struct Founder {
	/// The organisation's account (provider, validator, council member).
	pub account: AccountId,
	/// The validator's Aura key (sr25519).
	pub aura: AuraId,
	/// The validator's GRANDPA key (ed25519).
	pub grandpa: GrandpaId,
	/// The organisation's provider roles.
	pub roles: Roles,
	/// The salted digest of the organisation's licence.
	pub credential: sp_core::H256,
	/// The block at which the genesis credential lapses (renewed through governance).
	pub credential_expires_at: BlockNumber,
	/// The founder's genesis balance.
	pub endowment: crate::Balance,
}

/// The genesis of a consortium network: every founder validates, is an active provider and
/// sits on the council; no sudo key; sessions of `session_length` blocks.
pub fn consortium_genesis(founders: &[Founder], session_length: BlockNumber) -> Value {
	genesis(
		founders.iter().map(|f| (f.account.clone(), f.aura.clone(), f.grandpa.clone())).collect(),
		founders.iter().map(|f| (f.account.clone(), f.endowment)).collect(),
		None,
		founders
			.iter()
			.map(|f| (f.account.clone(), f.roles, f.credential, f.credential_expires_at))
			.collect(),
		founders.iter().map(|f| f.account.clone()).collect(),
		session_length,
	)
}

/// `consortium_template`: four founding members, no sudo key. The keys are the well-known
/// dev keys as *placeholders*: a real network is generated with `healthchain-node consortium
/// new` from the founders' own keys, and the node refuses to run a `Live` chain whose
/// authorities are well-known keys.
pub fn consortium_template_genesis() -> Value {
	let founders = [
		(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
		(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
	];
	let roles = [
		Roles::from_items(&[Role::Hospital, Role::Emergency]),
		Roles::from(Role::Lab),
		Roles::from(Role::Insurer),
		Roles::from(Role::Clinic),
	];
	let founders: Vec<Founder> = founders
		.iter()
		.zip(roles)
		.enumerate()
		.map(|(i, ((sr, ed), roles))| {
			let (account, aura, grandpa) = authority(*sr, *ed);
			Founder {
				account,
				aura,
				grandpa,
				roles,
				credential: credential("placeholder"),
				// Staggered a month apart: the founders' credentials never all lapse at one
				// block (which would leave no active organisation to govern or validate).
				credential_expires_at: GENESIS_CREDENTIAL_VALIDITY
					.saturating_sub(CREDENTIAL_STAGGER.saturating_mul(i as BlockNumber)),
				endowment: FOUNDER_ENDOWMENT,
			}
		})
		.collect();
	consortium_genesis(&founders, CONSORTIUM_SESSION_LENGTH)
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
