//! A launchable consortium network, and the guard against launching one with public keys.
//!
//! - `healthchain-node consortium new --founders founders.json --out spec.json` builds the raw
//!   chain spec of a new consortium from the founding members' own keys (accounts, Aura and
//!   GRANDPA session keys, roles, credential digests and expiries, endowments), bootnodes and
//!   protocol id, and prints the file's hashes for distribution: every member compares them
//!   before starting a node.
//! - [`refuse_well_known_authorities`]: the node refuses to run a `Live` chain whose genesis
//!   validators or session keys are the well-known development keys (`//Alice` ...), whose
//!   secrets are public: anyone could author and finalize its blocks.

use healthchain_primitives::{Role, Roles};
use healthchain_runtime::{
	genesis_config_presets::{consortium_genesis, Founder, CONSORTIUM_SESSION_LENGTH},
	AccountId, Balance, EXISTENTIAL_DEPOSIT, TOKEN_DECIMALS,
};
use sc_network::config::MultiaddrWithPeerId;
use sc_service::ChainType;
use serde::Deserialize;
use sp_core::{crypto::Ss58Codec, ed25519, sr25519, H256};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use std::{collections::BTreeSet, path::PathBuf};

/// `healthchain-node consortium ...`.
#[derive(Debug, clap::Subcommand)]
pub enum ConsortiumCmd {
	/// Build the raw chain spec of a new consortium network from the founders' keys.
	New(NewCmd),
}

/// `healthchain-node consortium new`.
#[derive(Debug, clap::Parser)]
pub struct NewCmd {
	/// The founders file (JSON): `{ "founders": [{ "name", "account", "aura", "grandpa",
	/// "roles", "credential", "credentialExpiresAt", "endowment" }, ...] }` (docs/operators.md).
	#[arg(long, value_name = "FILE")]
	pub founders: PathBuf,
	/// Where to write the raw chain spec.
	#[arg(long, value_name = "FILE")]
	pub out: PathBuf,
	/// The network's name.
	#[arg(long, default_value = "Healthchain Consortium")]
	pub name: String,
	/// The network's id (also names its database directory).
	#[arg(long, default_value = "healthchain_consortium")]
	pub id: String,
	/// The libp2p protocol id: networks with different ids never connect.
	#[arg(long, default_value = "hlthc")]
	pub protocol_id: String,
	/// A bootnode (`/dns/node.example.org/tcp/30333/p2p/12D3Koo...`); repeat for several.
	#[arg(long = "bootnode", value_name = "MULTIADDR")]
	pub bootnodes: Vec<MultiaddrWithPeerId>,
	/// Session length in blocks (one hour by default).
	#[arg(long, default_value_t = CONSORTIUM_SESSION_LENGTH)]
	pub session_length: u32,
}

/// One founder as written in the founders file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FounderEntry {
	/// A label for messages (not written to the chain).
	name: String,
	/// The organisation's account (SS58 or 0x hex public key).
	account: String,
	/// The validator's Aura key (sr25519 public, SS58 or 0x hex).
	aura: String,
	/// The validator's GRANDPA key (ed25519 public, SS58 or 0x hex).
	grandpa: String,
	/// Provider roles: `Hospital`, `Clinic`, `Lab`, `Pharmacy`, `Insurer`, `Emergency`.
	roles: Vec<Role>,
	/// The salted digest of the organisation's licence (0x + 32 bytes hex).
	credential: String,
	/// The block at which the genesis credential lapses.
	credential_expires_at: u32,
	/// Genesis balance in HLTH (a decimal string, up to 12 decimals).
	endowment: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FoundersFile {
	founders: Vec<FounderEntry>,
}

/// A 32-byte public key from SS58 (any format) or 0x hex.
fn public32(what: &str, value: &str) -> Result<[u8; 32], String> {
	if let Some(hex) = value.strip_prefix("0x") {
		let bytes =
			sp_core::bytes::from_hex(hex).map_err(|_| format!("{what} {value:?} is not hex"))?;
		return bytes
			.try_into()
			.map_err(|_| format!("{what} {value:?} is not 32 bytes (a public key)"));
	}
	AccountId::from_ss58check_with_version(value)
		.map(|(a, _)| *<AccountId as AsRef<[u8; 32]>>::as_ref(&a))
		.map_err(|e| format!("{what} {value:?} is neither an SS58 address nor 0x hex: {e:?}"))
}

/// A decimal HLTH amount in plancks (12 decimals).
fn parse_amount(value: &str) -> Result<Balance, String> {
	let bad =
		|| format!("endowment {value:?} is not an amount of HLTH (e.g. \"10000\" or \"0.5\")");
	let (whole, frac) = value.split_once('.').unwrap_or((value, ""));
	if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
		return Err(bad());
	}
	if !frac.bytes().all(|b| b.is_ascii_digit()) {
		return Err(bad());
	}
	let decimals = TOKEN_DECIMALS as usize;
	if frac.len() > decimals {
		return Err(format!("endowment {value:?} has more than {decimals} decimals"));
	}
	let unit = 10u128.pow(TOKEN_DECIMALS as u32);
	let whole: u128 = whole.parse().map_err(|_| bad())?;
	let frac: u128 = if frac.is_empty() {
		0
	} else {
		format!("{frac:0<decimals$}").parse().map_err(|_| bad())?
	};
	whole.checked_mul(unit).and_then(|w| w.checked_add(frac)).ok_or_else(bad)
}

/// The well-known development key (`Alice`, `Bob//stash`, ...) with public key `key`, if any.
pub fn well_known_name(key: &[u8; 32]) -> Option<String> {
	Sr25519Keyring::iter().find(|k| &k.public().0 == key).map(|k| format!("{k} (sr25519)")).or_else(
		|| Ed25519Keyring::iter().find(|k| &k.public().0 == key).map(|k| format!("{k} (ed25519)")),
	)
}

/// Check the founders file and turn it into the runtime's [`Founder`]s.
fn founders_of(file: FoundersFile) -> Result<Vec<Founder>, String> {
	if file.founders.is_empty() {
		return Err("the founders file lists no founder".into());
	}
	let max = <healthchain_runtime::configs::consensus::MaxAuthorities as sp_core::Get<u32>>::get();
	if file.founders.len() > max as usize {
		return Err(format!(
			"{} founders; the runtime allows at most {max} validators",
			file.founders.len()
		));
	}
	let mut seen = BTreeSet::new();
	let mut out = Vec::with_capacity(file.founders.len());
	for (i, f) in file.founders.into_iter().enumerate() {
		let who = format!("founder {} ({})", i + 1, f.name);
		let account = public32("account", &f.account).map_err(|e| format!("{who}: {e}"))?;
		let aura = public32("aura key", &f.aura).map_err(|e| format!("{who}: {e}"))?;
		let grandpa = public32("grandpa key", &f.grandpa).map_err(|e| format!("{who}: {e}"))?;
		for (what, key) in [("account", &account), ("aura key", &aura), ("grandpa key", &grandpa)] {
			if let Some(name) = well_known_name(key) {
				return Err(format!(
					"{who}: the {what} is the well-known development key {name}, whose secret is public; generate the founder's own keys (`healthchain-node key generate`)"
				));
			}
			if !seen.insert(*key) {
				return Err(format!("{who}: the {what} is already used by another founder (or in another role): every key must be distinct"));
			}
		}
		if f.roles.is_empty() {
			return Err(format!(
				"{who}: no roles (Hospital, Clinic, Lab, Pharmacy, Insurer, Emergency)"
			));
		}
		let credential = f
			.credential
			.strip_prefix("0x")
			.and_then(|h| sp_core::bytes::from_hex(h).ok())
			.filter(|b| b.len() == 32)
			.map(|b| H256::from_slice(&b))
			.ok_or_else(|| format!("{who}: credential {:?} is not 0x + 32 bytes of hex (the salted digest of the licence)", f.credential))?;
		if f.credential_expires_at == 0 {
			return Err(format!("{who}: credentialExpiresAt must be a block after genesis"));
		}
		let endowment = parse_amount(&f.endowment).map_err(|e| format!("{who}: {e}"))?;
		if endowment < EXISTENTIAL_DEPOSIT {
			return Err(format!("{who}: endowment below the existential deposit ({EXISTENTIAL_DEPOSIT} plancks): the account would not exist"));
		}
		out.push(Founder {
			account: AccountId::from(account),
			aura: sr25519::Public::from_raw(aura).into(),
			grandpa: ed25519::Public::from_raw(grandpa).into(),
			roles: Roles::from_items(&f.roles),
			credential,
			credential_expires_at: f.credential_expires_at,
			endowment,
		});
	}
	Ok(out)
}

impl NewCmd {
	/// Build, check and write the raw spec; print its hashes.
	pub fn run(&self) -> sc_cli::Result<()> {
		let text = std::fs::read_to_string(&self.founders).map_err(|e| {
			sc_cli::Error::Input(format!("cannot read {}: {e}", self.founders.display()))
		})?;
		let file: FoundersFile = serde_json::from_str(&text).map_err(|e| {
			sc_cli::Error::Input(format!("{} is not a founders file: {e}", self.founders.display()))
		})?;
		let founders = founders_of(file).map_err(sc_cli::Error::Input)?;
		// The genesis patch is JSON that the runtime (wasm) parses: its accounts are written
		// in the generic SS58 format (42), which every runtime reads; the node's default (the
		// chain's 7373) is unknown to the runtime's parser.
		sp_core::crypto::set_default_ss58_version(sp_core::crypto::Ss58AddressFormat::custom(42));
		if self.protocol_id.is_empty()
			|| !self.protocol_id.bytes().all(|b| b.is_ascii_alphanumeric())
		{
			return Err(sc_cli::Error::Input(format!(
				"protocol id {:?} must be non-empty ASCII letters and digits",
				self.protocol_id
			)));
		}
		use healthchain_runtime::configs::consensus::sessions::{
			MaxSessionLength, MinSessionLength,
		};
		let (min, max) = (MinSessionLength::get(), MaxSessionLength::get());
		if !(min..=max).contains(&self.session_length) {
			return Err(sc_cli::Error::Input(format!(
				"session length {} is outside the runtime's bounds ({min} to {max} blocks)",
				self.session_length
			)));
		}
		let min_validators = <healthchain_runtime::configs::consensus::MinActiveValidators as sp_core::Get<u32>>::get();
		if founders.len() < min_validators as usize {
			eprintln!(
				"Note: {} founders; governance keeps at least {min_validators} active validators (MinAuthorities), and GRANDPA needs more than 2/3 of them online: start with {min_validators} or more.",
				founders.len()
			);
		}
		let spec = crate::chain_spec::ChainSpec::builder(crate::chain_spec::wasm()?, None)
			.with_name(&self.name)
			.with_id(&self.id)
			.with_chain_type(ChainType::Live)
			.with_protocol_id(&self.protocol_id)
			.with_boot_nodes(self.bootnodes.clone())
			.with_genesis_config_patch(consortium_genesis(&founders, self.session_length))
			.with_properties(crate::chain_spec::properties())
			.build();
		// Building the genesis storage checks the patch against the runtime's genesis config.
		refuse_well_known_authorities(&spec).map_err(sc_cli::Error::Input)?;
		let raw = sc_service::ChainSpec::as_json(&spec, true).map_err(sc_cli::Error::Input)?;
		std::fs::write(&self.out, raw.as_bytes()).map_err(|e| {
			sc_cli::Error::Input(format!("cannot write {}: {e}", self.out.display()))
		})?;
		let summary = serde_json::json!({
			"spec": self.out.display().to_string(),
			"name": self.name,
			"id": self.id,
			"protocolId": self.protocol_id,
			"founders": founders.len(),
			"bootnodes": self.bootnodes.len(),
			"sha256": sp_core::bytes::to_hex(&sp_io::hashing::sha2_256(raw.as_bytes()), false),
			"blake2_256": sp_core::bytes::to_hex(&sp_io::hashing::blake2_256(raw.as_bytes()), false),
		});
		println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
		eprintln!(
			"Distribute {} and its sha256; every member checks `sha256sum` before starting a node with --chain.",
			self.out.display()
		);
		Ok(())
	}
}

/// Refuse a `Live` chain spec whose genesis validators or session keys (Aura, GRANDPA) are
/// well-known development keys. Development and local chains pass.
pub fn refuse_well_known_authorities(spec: &dyn sc_service::ChainSpec) -> Result<(), String> {
	if spec.chain_type() != ChainType::Live {
		return Ok(());
	}
	let storage = spec
		.as_storage_builder()
		.build_storage()
		.map_err(|e| format!("cannot build the genesis state of {}: {e}", spec.name()))?;
	let found = well_known_authorities(&storage.top);
	if found.is_empty() {
		return Ok(());
	}
	Err(format!(
		"refusing to run the Live chain {:?}: its genesis authorities include the well-known development keys {} whose secrets are public (anyone could author and finalize blocks). Generate the spec from the founders' own keys with `healthchain-node consortium new` (docs/operators.md).",
		spec.name(),
		found.join(", ")
	))
}

/// Well-known keys among `Session::Validators` and `Session::QueuedKeys` (aura, grandpa).
fn well_known_authorities(top: &sp_core::storage::StorageMap) -> Vec<String> {
	use sp_runtime::codec::Decode;
	let key = |item: &[u8]| {
		[sp_io::hashing::twox_128(b"Session"), sp_io::hashing::twox_128(item)].concat()
	};
	let mut keys: Vec<[u8; 32]> = Vec::new();
	if let Some(v) = top.get(&key(b"Validators")) {
		keys.extend(Vec::<[u8; 32]>::decode(&mut &v[..]).unwrap_or_default());
	}
	if let Some(v) = top.get(&key(b"QueuedKeys")) {
		for (account, aura, grandpa) in
			Vec::<([u8; 32], [u8; 32], [u8; 32])>::decode(&mut &v[..]).unwrap_or_default()
		{
			keys.extend([account, aura, grandpa]);
		}
	}
	let mut names: Vec<String> = keys.iter().filter_map(well_known_name).collect();
	names.sort();
	names.dedup();
	names
}

#[cfg(test)]
mod tests {
	use super::*;

	fn entry(seed: u8) -> FounderEntry {
		let sr = sr25519::Pair::from_seed(&[seed; 32]);
		let ed = ed25519::Pair::from_seed(&[seed; 32]);
		use sp_core::Pair;
		FounderEntry {
			name: format!("org {seed}"),
			account: sr.public().to_ss58check(),
			aura: sp_core::bytes::to_hex(
				&sr25519::Pair::from_seed(&[seed + 100; 32]).public().0,
				false,
			),
			grandpa: sp_core::bytes::to_hex(&ed.public().0, false),
			roles: vec![Role::Hospital],
			credential: format!("0x{}", "ab".repeat(32)),
			credential_expires_at: 1_000,
			endowment: "10000.5".into(),
		}
	}

	#[test]
	fn founders_are_checked_and_converted() {
		let f = founders_of(FoundersFile { founders: vec![entry(1), entry(2)] }).expect("valid");
		assert_eq!(f.len(), 2);
		assert_eq!(f[0].endowment, 10_000 * 10u128.pow(12) + 5 * 10u128.pow(11));
		assert_eq!(f[0].roles, Roles::from(Role::Hospital));

		let err = |mut e: FounderEntry, change: fn(&mut FounderEntry)| {
			change(&mut e);
			founders_of(FoundersFile { founders: vec![e] }).expect_err("refused")
		};
		assert!(err(entry(1), |e| e.aura = Sr25519Keyring::Alice.to_account_id().to_ss58check())
			.contains("well-known development key Alice"));
		assert!(err(entry(1), |e| e.grandpa =
			sp_core::bytes::to_hex(&Ed25519Keyring::Bob.public().0, false))
		.contains("Bob (ed25519)"));
		assert!(err(entry(1), |e| e.aura = e.account.clone()).contains("already used"));
		assert!(err(entry(1), |e| e.roles.clear()).contains("no roles"));
		assert!(err(entry(1), |e| e.credential = "0x12".into()).contains("credential"));
		assert!(err(entry(1), |e| e.endowment = "1.0000000000001".into())
			.contains("more than 12 decimals"));
		assert!(err(entry(1), |e| e.endowment = "0".into()).contains("existential deposit"));
		assert!(err(entry(1), |e| e.account = "nonsense".into()).contains("neither an SS58"));
		assert!(founders_of(FoundersFile { founders: vec![] }).is_err());
		let dup = founders_of(FoundersFile { founders: vec![entry(1), entry(1)] });
		assert!(dup.expect_err("duplicate").contains("already used"));
	}

	#[test]
	fn amounts_parse_exactly() {
		assert_eq!(parse_amount("1"), Ok(10u128.pow(12)));
		assert_eq!(parse_amount("0.000000000001"), Ok(1));
		for bad in ["", ".5", "1e3", "-1", "1.2.3", " 1"] {
			assert!(parse_amount(bad).is_err(), "{bad}");
		}
	}

	#[test]
	fn live_specs_with_well_known_keys_are_refused_others_pass() {
		let template = crate::chain_spec::consortium_template_chain_spec().expect("template");
		let err = refuse_well_known_authorities(&template).expect_err("template has dev keys");
		assert!(err.contains("Alice") && err.contains("Dave"), "{err}");
		let dev = crate::chain_spec::development_chain_spec().expect("dev");
		assert!(refuse_well_known_authorities(&dev).is_ok());
		let founders =
			founders_of(FoundersFile { founders: vec![entry(1), entry(2), entry(3)] }).expect("ok");
		let live =
			crate::chain_spec::ChainSpec::builder(crate::chain_spec::wasm().expect("wasm"), None)
				.with_name("t")
				.with_id("t")
				.with_chain_type(ChainType::Live)
				.with_genesis_config_patch(consortium_genesis(&founders, 20))
				.build();
		assert_eq!(refuse_well_known_authorities(&live), Ok(()));
	}
}
