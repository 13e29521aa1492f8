//! A runtime fuzzer in the style of SRLabs' substrate-runtime-fuzzer (issue 13, item 12).
//!
//! Random but plausible sequences of calls, from a small cast of accounts with realistic roles,
//! run on the real `Runtime` built from the development preset:
//!
//! - **Organisations**: Alice (Hospital + Emergency), Bob (Clinic + Lab), Charlie (Insurer) from
//!   genesis, and five candidate organisations (a pharmacy, a second insurer, a clinic-lab, an
//!   emergency hospital and a rogue clinic that governance mostly revokes) that register, are
//!   approved, suspended, revoked, renew, deregister, set session keys and become validators
//!   during the run. Organisations look after their standing (lapsed ones renew, suspended ones
//!   are reinstated), so care and billing keep flowing.
//! - **Patients and guardians**: Dave, Eve, Ferdie and four derived patients (one of them, the
//!   "hoarder", grants to 120 strangers to fill `MaxGrantsPerPatient`).
//! - **Governance**: root, a 2/3 council motion (propose, two votes, close) or sudo.
//!
//! Arguments come from small pools so calls often succeed: record ids that were anchored, claim
//! ids in the state the call needs, grants that exist, amounts an insurer can or cannot pay,
//! expiries a few blocks ahead and one shared expiry block for many grants (so the expiry sweep
//! has work). Every call is dispatched with `Dispatchable::dispatch`, after its fee is withdrawn
//! through the runtime's `OnChargeTransaction` (fees go to the treasury) and with its weight
//! registered in the block; errors are expected and counted, a panic is a finding.
//!
//! Blocks are advanced as the executive does: `Executive::initialize_block` (Aura pre-digest with
//! the slot, all `on_initialize` hooks, session rotations), the timestamp inherent, the calls,
//! `on_idle` with the block's remaining weight and `on_finalize`. At block 100 of every episode,
//! and now and then after, the chain jumps ahead (an hour to thirty days without calls) so that
//! adjudication deadlines, dispute windows, break-glass windows and rate-limit periods lapse; the
//! credential-expiry hook runs for every block jumped over that has a bucket, and the consent
//! sweep catches up by itself.
//!
//! After **every** block: each Healthchain pallet's `do_try_state`, total issuance equal to its
//! genesis value and to the sum of every account's free + reserved balance, holds equal to
//! reserved balances, provider deposits held exactly, no party to an open claim gone from the
//! registry, no consent expiry queued at or below the sweep cursor, `on_idle` within its weight,
//! and a non-empty authority set. And for every `log_access`, the outcome and basis agree with
//! what the runtime API's functions (`record_access`, `access_basis`, `has_access`) answered just
//! before (issue 13, finding 9). A failure panics with the seed, the block and the last calls.
//!
//! Environment: `HEALTHCHAIN_FUZZ_SEED` (decimal or `0x` hex), `HEALTHCHAIN_FUZZ_BLOCKS`,
//! `HEALTHCHAIN_FUZZ_CALLS` (most calls per block), `HEALTHCHAIN_FUZZ_EPISODE` (blocks per fresh
//! genesis). `scripts/fuzz` runs a long campaign; docs/testing.md has its results.

use crate::{
	configs::{self, RuntimeBlockWeights},
	AccountId, AllPalletsWithSystem, Balance, Balances, BlockNumber, BuildStorage, Executive,
	Header, Runtime, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin, SessionKeys,
	System, TransactionPayment, SLOT_DURATION, UNIT,
};
use codec::Encode;
use frame_support::{
	dispatch::{DispatchClass, DispatchInfo, GetDispatchInfo, PostDispatchInfo},
	traits::{
		fungible::{Inspect, InspectHold},
		Get, GetCallMetadata, Hooks, OnFinalize, OnIdle,
	},
	weights::Weight,
	BoundedVec,
};
use healthchain_primitives::{Purpose, Purposes, Role, Roles, Scope, Scopes};
use pallet_transaction_payment::OnChargeTransaction;
use sp_core::{proof_of_possession::ProofOfPossessionGenerator, Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::{BlakeTwo256, Dispatchable, Hash as _, Header as _},
	DispatchError,
};
use std::{
	collections::{BTreeMap, VecDeque},
	fmt::Write as _,
	panic::{self, AssertUnwindSafe},
	time::Instant,
};

/// The seed of the deterministic run in `cargo test` ("HEALTH" and the issue number).
const DEFAULT_SEED: u64 = 0x4845_414c_5448_0013;
/// Blocks of the deterministic run: small enough for a few seconds in release.
const DEFAULT_BLOCKS: u32 = 200;
/// At most this many calls per block (0 to this many, uniformly).
const DEFAULT_CALLS: u32 = 8;
/// Blocks per episode: a long campaign restarts from genesis every this many blocks, so the
/// state (and the per-block `try_state` cost) stays bounded; each episode has its own seed.
const DEFAULT_EPISODE: u32 = 2_000;
/// How many of the last calls a finding shows.
const TRACE_LEN: usize = 20;
/// The block of every episode at which the chain jumps 30 days ahead (claims become overdue,
/// dispute windows close, every break-glass window and short grant lapses).
const FORCED_JUMP_AT: u32 = 100;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

fn splitmix64(z: u64) -> u64 {
	let mut x = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
	x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
	x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
	x ^ (x >> 31)
}

/// xorshift64*, seeded through splitmix64.
struct Rng(u64);

impl Rng {
	fn new(seed: u64) -> Self {
		Rng(splitmix64(seed) | 1)
	}

	fn next(&mut self) -> u64 {
		let mut x = self.0;
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		self.0 = x;
		x.wrapping_mul(0x2545_F491_4F6C_DD1D)
	}

	/// Uniform in `0..n` (0 when `n` is 0).
	fn below(&mut self, n: u64) -> u64 {
		if n == 0 {
			0
		} else {
			self.next() % n
		}
	}

	/// Uniform in `lo..=hi`.
	fn range(&mut self, lo: u64, hi: u64) -> u64 {
		lo + self.below(hi - lo + 1)
	}

	fn percent(&mut self, p: u64) -> bool {
		self.below(100) < p
	}

	fn index(&mut self, len: usize) -> usize {
		self.below(len as u64) as usize
	}

	fn pick<T: Clone>(&mut self, items: &[T]) -> T {
		items[self.index(items.len())].clone()
	}

	/// A random digest, never zero.
	fn h256(&mut self) -> H256 {
		let mut b = [0u8; 32];
		for chunk in b.chunks_mut(8) {
			chunk.copy_from_slice(&self.next().to_le_bytes());
		}
		b[0] |= 1;
		H256(b)
	}
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

fn env_u64(name: &str, default: u64) -> u64 {
	match std::env::var(name) {
		Ok(v) if !v.trim().is_empty() => {
			let v = v.trim();
			let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
				Some(hex) => u64::from_str_radix(hex, 16),
				None => v.parse::<u64>(),
			};
			parsed.unwrap_or_else(|_| panic!("{name}={v} is not a number"))
		}
		_ => default,
	}
}

/// What a run does: the seed, how many blocks, how many calls per block at most, and how many
/// blocks an episode (one genesis) lasts.
#[derive(Clone, Copy, Debug)]
struct Settings {
	seed: u64,
	blocks: u32,
	calls_per_block: u32,
	episode: u32,
}

impl Settings {
	fn from_env() -> Self {
		let to_u32 = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
		Settings {
			seed: env_u64("HEALTHCHAIN_FUZZ_SEED", DEFAULT_SEED),
			blocks: to_u32(env_u64("HEALTHCHAIN_FUZZ_BLOCKS", DEFAULT_BLOCKS.into())),
			calls_per_block: to_u32(env_u64("HEALTHCHAIN_FUZZ_CALLS", DEFAULT_CALLS.into())),
			episode: to_u32(env_u64("HEALTHCHAIN_FUZZ_EPISODE", DEFAULT_EPISODE.into())).max(1),
		}
	}

	/// Episode 0 runs on the seed itself, so a finding in episode `e` is reproduced by running
	/// its episode seed as the seed of a single episode.
	fn episode_seed(&self, episode: u32) -> u64 {
		if episode == 0 {
			self.seed
		} else {
			splitmix64(self.seed ^ u64::from(episode).wrapping_mul(0xA076_1D64_78BD_642F))
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Genesis
// ---------------------------------------------------------------------------------------------

/// Merge a JSON patch into a base document, as sc-chain-spec does with preset patches.
fn json_merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (k, v) in patch {
				json_merge(base.entry(k).or_insert(serde_json::Value::Null), v);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// The development preset's genesis state, built as a chain spec builds it (block 0).
fn dev_genesis() -> sp_io::TestExternalities {
	let id = sp_genesis_builder::PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET);
	let patch_bytes = crate::genesis_config_presets::get_preset(&id).expect("dev preset exists");
	let patch: serde_json::Value = serde_json::from_slice(&patch_bytes).expect("valid json");
	let mut full = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializable");
	json_merge(&mut full, patch);
	let config: RuntimeGenesisConfig =
		serde_json::from_value(full).expect("preset patch fits RuntimeGenesisConfig");
	config.build_storage().expect("genesis builds").into()
}

// ---------------------------------------------------------------------------------------------
// The cast
// ---------------------------------------------------------------------------------------------

/// An organisation: its account, the roles it registers with, and its session keys.
#[derive(Clone)]
struct Org {
	account: AccountId,
	roles: Roles,
	keys: SessionKeys,
	/// `proofs[j]`: a valid ownership proof, for this account, of organisation `j`'s keys.
	proofs: Vec<Vec<u8>>,
}

struct Cast {
	alice: AccountId,
	bob: AccountId,
	charlie: AccountId,
	/// Dave, Eve, Ferdie and four derived patients; `patients[3]` is the hoarder.
	patients: Vec<AccountId>,
	/// Pharmacy, second insurer, clinic-lab, emergency hospital (not registered at genesis).
	orgs: Vec<Org>,
	/// Accounts that only ever receive grants or transfers.
	strangers: Vec<AccountId>,
	/// Stash accounts that fund the derived accounts before block 1.
	funders: Vec<AccountId>,
	/// `Debug` rendering of an account, and its name, for readable traces.
	names: Vec<(String, String)>,
}

impl Cast {
	fn new() -> Self {
		let k = |k: Sr25519Keyring| k.to_account_id();
		let derived = |label: &str| -> AccountId {
			sp_core::sr25519::Pair::from_string(&format!("//HealthchainFuzz//{label}"), None)
				.expect("valid derivation")
				.public()
				.into()
		};
		let patients: Vec<AccountId> = vec![
			k(Sr25519Keyring::Dave),
			k(Sr25519Keyring::Eve),
			k(Sr25519Keyring::Ferdie),
			derived("Hoarder"),
			derived("Patient1"),
			derived("Patient2"),
			derived("Patient3"),
		];
		let specs: [(&str, Roles); 5] = [
			("Pharmacy", Roles::from(Role::Pharmacy)),
			("Insurer2", Roles::from(Role::Insurer)),
			("ClinicLab", Roles::from_items(&[Role::Clinic, Role::Lab])),
			("ErHospital", Roles::from_items(&[Role::Hospital, Role::Emergency])),
			("Rogue", Roles::from(Role::Clinic)),
		];
		let mut pairs: Vec<(sp_core::sr25519::Pair, sp_core::ed25519::Pair)> = specs
			.iter()
			.map(|(label, _)| {
				let uri = format!("//HealthchainFuzz//{label}");
				(
					sp_core::sr25519::Pair::from_string(&uri, None).expect("valid derivation"),
					sp_core::ed25519::Pair::from_string(&uri, None).expect("valid derivation"),
				)
			})
			.collect();
		let accounts: Vec<AccountId> = pairs.iter().map(|(sr, _)| sr.public().into()).collect();
		let keys: Vec<SessionKeys> = pairs
			.iter()
			.map(|(sr, ed)| SessionKeys { aura: sr.public().into(), grandpa: ed.public().into() })
			.collect();
		let orgs = (0..specs.len())
			.map(|i| {
				let owner = accounts[i].encode();
				let proofs = pairs
					.iter_mut()
					.map(|(sr, ed)| {
						(
							sr.generate_proof_of_possession(&owner),
							ed.generate_proof_of_possession(&owner),
						)
							.encode()
					})
					.collect();
				Org {
					account: accounts[i].clone(),
					roles: specs[i].1,
					keys: keys[i].clone(),
					proofs,
				}
			})
			.collect::<Vec<_>>();
		let strangers: Vec<AccountId> =
			(0..120).map(|i| derived(&format!("Stranger{i}"))).collect();
		let funders = vec![
			k(Sr25519Keyring::AliceStash),
			k(Sr25519Keyring::BobStash),
			k(Sr25519Keyring::CharlieStash),
		];

		let mut names: Vec<(String, String)> = Vec::new();
		let mut name = |acc: &AccountId, n: &str| names.push((format!("{acc:?}"), n.to_string()));
		name(&k(Sr25519Keyring::Alice), "Alice");
		name(&k(Sr25519Keyring::Bob), "Bob");
		name(&k(Sr25519Keyring::Charlie), "Charlie");
		for (acc, n) in patients
			.iter()
			.zip(["Dave", "Eve", "Ferdie", "Hoarder", "Patient1", "Patient2", "Patient3"])
		{
			name(acc, n);
		}
		for (org, (n, _)) in orgs.iter().zip(specs.iter()) {
			name(&org.account, n);
		}
		for (i, s) in strangers.iter().enumerate() {
			name(s, &format!("Stranger{i}"));
		}
		name(&configs::monetary::TreasuryAccount::get(), "Treasury");

		Cast {
			alice: k(Sr25519Keyring::Alice),
			bob: k(Sr25519Keyring::Bob),
			charlie: k(Sr25519Keyring::Charlie),
			patients,
			orgs,
			strangers,
			funders,
			names,
		}
	}

	fn hoarder(&self) -> &AccountId {
		&self.patients[3]
	}

	fn council(&self) -> [AccountId; 3] {
		[self.alice.clone(), self.bob.clone(), self.charlie.clone()]
	}

	/// Every organisation (genesis and candidate) with the roles it registers with.
	fn all_orgs(&self) -> Vec<(AccountId, Roles)> {
		let mut v = vec![
			(self.alice.clone(), Roles::from_items(&[Role::Hospital, Role::Emergency])),
			(self.bob.clone(), Roles::from_items(&[Role::Clinic, Role::Lab])),
			(self.charlie.clone(), Roles::from(Role::Insurer)),
		];
		v.extend(self.orgs.iter().map(|o| (o.account.clone(), o.roles)));
		v
	}

	/// Accounts that hold funds and sign calls.
	fn signers(&self) -> Vec<AccountId> {
		let mut v = vec![self.alice.clone(), self.bob.clone(), self.charlie.clone()];
		v.extend(self.patients.iter().cloned());
		v.extend(self.orgs.iter().map(|o| o.account.clone()));
		v
	}

	fn readable(&self, mut s: String) -> String {
		for (debug, name) in &self.names {
			if s.contains(debug.as_str()) {
				s = s.replace(debug.as_str(), name);
			}
		}
		s
	}
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

#[derive(Default, Clone, Copy)]
struct CallStat {
	executed: u64,
	ok: u64,
	failed: u64,
}

#[derive(Default)]
struct Stats {
	/// Per `Pallet.call`.
	calls: BTreeMap<String, CallStat>,
	/// Per `Pallet.call: Error`.
	errors: BTreeMap<String, u64>,
	/// Notable events (sweeps, rotations, settlements, ...).
	events: BTreeMap<String, u64>,
	blocks: u64,
	episodes: u32,
	jumps: u64,
	jumped_blocks: u64,
	/// Calls not applied: the block was full for them.
	block_full: u64,
	/// Calls not applied: the signer could not pay the fee.
	unpaid: u64,
	/// Council motions whose close did not execute the proposal.
	motions_not_executed: u64,
	fees_to_treasury: Balance,
	/// The most grants the hoarder held at once (`MaxGrantsPerPatient` is 64).
	max_hoarder_grants: u32,
}

impl Stats {
	fn executed(&self) -> u64 {
		self.calls.values().map(|c| c.executed).sum()
	}

	fn ok(&self, call: &str) -> u64 {
		self.calls.get(call).map_or(0, |c| c.ok)
	}

	fn merge(&mut self, other: Stats) {
		for (k, v) in other.calls {
			let c = self.calls.entry(k).or_default();
			c.executed += v.executed;
			c.ok += v.ok;
			c.failed += v.failed;
		}
		for (k, v) in other.errors {
			*self.errors.entry(k).or_default() += v;
		}
		for (k, v) in other.events {
			*self.events.entry(k).or_default() += v;
		}
		self.blocks += other.blocks;
		self.episodes += other.episodes;
		self.jumps += other.jumps;
		self.jumped_blocks += other.jumped_blocks;
		self.block_full += other.block_full;
		self.unpaid += other.unpaid;
		self.motions_not_executed += other.motions_not_executed;
		self.fees_to_treasury += other.fees_to_treasury;
		self.max_hoarder_grants = self.max_hoarder_grants.max(other.max_hoarder_grants);
	}

	fn report(&self, settings: &Settings, secs: f64) -> String {
		let mut s = String::new();
		let executed = self.executed();
		let ok: u64 = self.calls.values().map(|c| c.ok).sum();
		let failed: u64 = self.calls.values().map(|c| c.failed).sum();
		let _ = writeln!(s, "\n=== healthchain runtime fuzzer ===");
		let _ = writeln!(
			s,
			"seed {:#x}, {} blocks in {} episode(s) of at most {} blocks, up to {} calls per block",
			settings.seed, self.blocks, self.episodes, settings.episode, settings.calls_per_block
		);
		let _ = writeln!(
			s,
			"calls executed {executed}: ok {ok}, failed with an error {failed}; not applied: \
			 block full {}, fee unpaid {}; council motions not executed {}",
			self.block_full, self.unpaid, self.motions_not_executed
		);
		let _ = writeln!(
			s,
			"time jumps {} ({} blocks skipped); fees paid to the treasury {} HLTH; {:.1} s \
			 ({:.0} calls/s)",
			self.jumps,
			self.jumped_blocks,
			self.fees_to_treasury / UNIT,
			secs,
			executed as f64 / secs.max(1e-9)
		);
		let _ = writeln!(
			s,
			"invariants checked after each of the {} blocks: no violation, no panic",
			self.blocks
		);
		let _ = writeln!(s, "\n{:<42} {:>9} {:>9} {:>9}", "call", "executed", "ok", "failed");
		for (call, c) in &self.calls {
			let _ = writeln!(s, "{:<42} {:>9} {:>9} {:>9}", call, c.executed, c.ok, c.failed);
		}
		let mut errors: Vec<_> = self.errors.iter().collect();
		errors.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
		let _ = writeln!(s, "\nerrors (most frequent first):");
		for (e, n) in errors.iter() {
			let _ = writeln!(s, "  {n:>8}  {e}");
		}
		let _ = writeln!(s, "\nevents:");
		let _ = writeln!(
			s,
			"  {:>8}  consent: most grants one patient held at once",
			self.max_hoarder_grants
		);
		for (e, n) in &self.events {
			let _ = writeln!(s, "  {n:>8}  {e}");
		}
		let _ = writeln!(
			s,
			"\nreproduce: HEALTHCHAIN_FUZZ_SEED={:#x} HEALTHCHAIN_FUZZ_BLOCKS={} \
			 HEALTHCHAIN_FUZZ_EPISODE={} scripts/fuzz",
			settings.seed, settings.blocks, settings.episode
		);
		s
	}
}

fn error_name(e: &DispatchError) -> String {
	match e {
		// Results read back from events (council motions, sudo) carry no message: name the
		// error from the runtime's error enum instead.
		DispatchError::Module(m) => m.message.map(String::from).unwrap_or_else(|| {
			crate::RuntimeError::from_dispatch_error(*e).map_or_else(
				|| format!("{m:?}"),
				|r| {
					let s = format!("{r:?}");
					match (s.find('('), s.rfind(')')) {
						(Some(a), Some(b)) if a < b => s[a + 1..b].to_string(),
						_ => s,
					}
				},
			)
		}),
		other => format!("{other:?}"),
	}
}

fn call_name(call: &RuntimeCall) -> String {
	let m = call.get_call_metadata();
	format!("{}.{}", m.pallet_name, m.function_name)
}

// ---------------------------------------------------------------------------------------------
// What the fuzzer remembers
// ---------------------------------------------------------------------------------------------

#[derive(Clone)]
struct Rec {
	id: H256,
	author: AccountId,
	subject: AccountId,
}

#[derive(Default)]
struct Model {
	records: Vec<Rec>,
	/// Record ids by (author, subject).
	by_pair: BTreeMap<(AccountId, AccountId), Vec<H256>>,
	local_ids: u64,
	roots: Vec<H256>,
	claim_digests: Vec<H256>,
	/// A block many grants and credentials expire at (moved on once passed).
	shared_expiry: BlockNumber,
}

/// Who dispatches a generated call.
#[derive(Clone)]
enum Who {
	Signed(AccountId),
	/// Governance: root, a council motion or sudo, chosen at dispatch.
	Gov,
}

struct Trace {
	block: BlockNumber,
	origin: String,
	call: RuntimeCall,
	outcome: String,
}

#[derive(Clone, Copy, Debug)]
enum Action {
	Anchor,
	Amend,
	Retract,
	ForceRetract,
	AnchorBatch,
	Grant,
	HoarderGrant,
	Revoke,
	AddGuardian,
	RemoveGuardian,
	GrantFor,
	RevokeFor,
	BreakGlass,
	ReviewBreakGlass,
	LogAccess,
	LogAccessBatch,
	CloseBreakGlass,
	Submit,
	Adjudicate,
	Settle,
	Dispute,
	ResolveDispute,
	Withdraw,
	Register,
	Approve,
	Reject,
	Suspend,
	Reinstate,
	RevokeProvider,
	Renew,
	Deregister,
	SetNodes,
	SetPermissioned,
	SetKeys,
	PurgeKeys,
	AddValidator,
	RemoveValidator,
	SetSessionLength,
	Transfer,
	TransferAllowDeath,
	Batch,
}

/// How often each action is generated (relative weights).
const ACTIONS: &[(u32, Action)] = &[
	(140, Action::Anchor),
	(40, Action::Amend),
	(15, Action::Retract),
	(5, Action::ForceRetract),
	(20, Action::AnchorBatch),
	(150, Action::Grant),
	(70, Action::HoarderGrant),
	(30, Action::Revoke),
	(15, Action::AddGuardian),
	(7, Action::RemoveGuardian),
	(25, Action::GrantFor),
	(10, Action::RevokeFor),
	(30, Action::BreakGlass),
	(15, Action::ReviewBreakGlass),
	(110, Action::LogAccess),
	(30, Action::LogAccessBatch),
	(15, Action::CloseBreakGlass),
	(90, Action::Submit),
	(60, Action::Adjudicate),
	(40, Action::Settle),
	(25, Action::Dispute),
	(15, Action::ResolveDispute),
	(10, Action::Withdraw),
	(12, Action::Register),
	(10, Action::Approve),
	(3, Action::Reject),
	(4, Action::Suspend),
	(6, Action::Reinstate),
	(2, Action::RevokeProvider),
	(10, Action::Renew),
	(3, Action::Deregister),
	(7, Action::SetNodes),
	(3, Action::SetPermissioned),
	(6, Action::SetKeys),
	(2, Action::PurgeKeys),
	(6, Action::AddValidator),
	(3, Action::RemoveValidator),
	(3, Action::SetSessionLength),
	(20, Action::Transfer),
	(3, Action::TransferAllowDeath),
	(10, Action::Batch),
];

// ---------------------------------------------------------------------------------------------
// The fuzzer
// ---------------------------------------------------------------------------------------------

struct Fuzzer<'a> {
	rng: Rng,
	cast: &'a Cast,
	model: Model,
	stats: Stats,
	trace: VecDeque<Trace>,
	seed: u64,
	/// The block of this episode being built (1-based).
	episode_block: u32,
	slot: u64,
	parent_hash: H256,
	genesis_issuance: Balance,
	calls_per_block: u32,
}

type Liquidity =
	<<Runtime as pallet_transaction_payment::Config>::OnChargeTransaction as OnChargeTransaction<
		Runtime,
	>>::LiquidityInfo;

impl<'a> Fuzzer<'a> {
	fn new(cast: &'a Cast, seed: u64, calls_per_block: u32) -> Self {
		Fuzzer {
			rng: Rng::new(seed),
			cast,
			model: Model::default(),
			stats: Stats { episodes: 1, ..Default::default() },
			trace: VecDeque::with_capacity(TRACE_LEN + 1),
			seed,
			episode_block: 0,
			slot: 0,
			parent_hash: frame_system::BlockHash::<Runtime>::get(0),
			genesis_issuance: 0,
			calls_per_block,
		}
	}

	fn now() -> BlockNumber {
		System::block_number()
	}

	/// Fund the derived accounts from the stash accounts (at genesis, block 0).
	fn setup(&mut self) {
		let c = self.cast;
		let mut funded: Vec<(AccountId, Balance)> =
			c.patients[3..].iter().map(|p| (p.clone(), 1_000 * UNIT)).collect();
		funded.extend(c.orgs.iter().map(|o| (o.account.clone(), 100_000 * UNIT)));
		for (i, (who, amount)) in funded.into_iter().enumerate() {
			let from = c.funders[i % c.funders.len()].clone();
			Balances::transfer_keep_alive(RuntimeOrigin::signed(from), who.into(), amount)
				.expect("stash accounts fund the derived accounts");
		}
		self.genesis_issuance = Balances::total_issuance();
	}

	// ---- dispatch -------------------------------------------------------------------------

	fn push_trace(&mut self, origin: String, call: &RuntimeCall) {
		if self.trace.len() == TRACE_LEN {
			self.trace.pop_front();
		}
		self.trace.push_back(Trace {
			block: Self::now(),
			origin,
			call: call.clone(),
			outcome: "(panicked during dispatch)".into(),
		});
	}

	fn set_outcome(&mut self, outcome: String) {
		if let Some(t) = self.trace.back_mut() {
			t.outcome = outcome;
		}
	}

	fn tally(&mut self, call: &RuntimeCall, result: &Result<(), DispatchError>) {
		let name = call_name(call);
		let stat = self.stats.calls.entry(name.clone()).or_default();
		stat.executed += 1;
		match result {
			Ok(()) => stat.ok += 1,
			Err(e) => {
				stat.failed += 1;
				*self.stats.errors.entry(format!("{name}: {}", error_name(e))).or_default() += 1;
			}
		}
	}

	fn name_of(&self, who: &AccountId) -> String {
		self.cast.readable(format!("{who:?}"))
	}

	/// Dispatch `call` signed by `who` as an extrinsic would be: the block must have room for
	/// its weight, the fee is withdrawn (to the treasury), the nonce bumped, the actual weight
	/// registered and the fee corrected afterwards. `None` if it was not applied.
	fn signed(&mut self, who: &AccountId, call: RuntimeCall) -> Option<Result<(), DispatchError>> {
		let info = call.get_dispatch_info();
		let len = call.encoded_size() as u32 + 110;
		let limits = RuntimeBlockWeights::get();
		let base = limits.get(info.class).base_extrinsic;
		let used = *System::block_weight().get(info.class);
		if let Some(max) = limits.get(info.class).max_total {
			if used.saturating_add(info.total_weight()).saturating_add(base).any_gt(max) {
				self.stats.block_full += 1;
				return None;
			}
		}
		let fee = TransactionPayment::compute_fee(len, &info, 0);
		type Charge = <Runtime as pallet_transaction_payment::Config>::OnChargeTransaction;
		let liquidity: Liquidity =
			match <Charge as OnChargeTransaction<Runtime>>::withdraw_fee(who, &call, &info, fee, 0)
			{
				Ok(l) => l,
				Err(_) => {
					self.stats.unpaid += 1;
					return None;
				}
			};
		System::inc_account_nonce(who);
		let origin = self.name_of(who);
		self.push_trace(origin, &call);
		let res = call.clone().dispatch(RuntimeOrigin::signed(who.clone()));
		let post: PostDispatchInfo = match &res {
			Ok(p) => *p,
			Err(e) => e.post_info,
		};
		let actual = post.calc_actual_weight(&info);
		System::register_extra_weight_unchecked(actual.saturating_add(base), info.class);
		System::note_applied_extrinsic(&res, info);
		let actual_fee = TransactionPayment::compute_actual_fee(len, &info, &post, 0);
		if let Err(e) = <Charge as OnChargeTransaction<Runtime>>::correct_and_deposit_fee(
			who, &info, &post, actual_fee, 0, liquidity,
		) {
			self.finding(&format!("fee correction failed: {e:?}"));
		}
		self.stats.fees_to_treasury += actual_fee;
		let result = res.map(|_| ()).map_err(|e| e.error);
		self.set_outcome(format!("{result:?}"));
		self.tally(&call, &result);
		Some(result)
	}

	fn root(&mut self, call: RuntimeCall) {
		let info: DispatchInfo = call.get_dispatch_info();
		self.push_trace("Root".into(), &call);
		let res = call.clone().dispatch(RuntimeOrigin::root());
		let post = match &res {
			Ok(p) => *p,
			Err(e) => e.post_info,
		};
		System::register_extra_weight_unchecked(post.calc_actual_weight(&info), info.class);
		let result = res.map(|_| ()).map_err(|e| e.error);
		self.set_outcome(format!("{result:?}"));
		self.tally(&call, &result);
	}

	/// Root through sudo (Alice is the development chain's sudo key).
	fn sudo(&mut self, call: RuntimeCall) {
		let alice = self.cast.alice.clone();
		let wrapped = RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call.clone()) });
		if self.signed(&alice, wrapped) != Some(Ok(())) {
			return;
		}
		let inner = System::events().iter().rev().find_map(|r| match &r.event {
			RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result }) => Some(*sudo_result),
			_ => None,
		});
		match inner {
			Some(result) => {
				self.set_outcome(format!("Sudid {result:?}"));
				self.tally(&call, &result);
			}
			None => self.finding("sudo.sudo succeeded without a Sudid event"),
		}
	}

	/// A 2/3 council motion: a member proposes (threshold 2), two members vote, the third
	/// closes.
	fn council(&mut self, call: RuntimeCall) {
		let mut members = self.cast.council().to_vec();
		let proposer = members.remove(self.rng.index(members.len()));
		let second = members.remove(self.rng.index(members.len()));
		let closer = members.remove(0);
		let len = call.encoded_size() as u32;
		let hash = BlakeTwo256::hash_of(&call);
		let weight = call.get_dispatch_info().call_weight;
		let index =
			pallet_collective::ProposalCount::<Runtime, pallet_collective::Instance1>::get();
		let aye = self.rng.percent(92);
		let steps = [
			(
				proposer.clone(),
				pallet_collective::Call::propose {
					threshold: 2,
					proposal: Box::new(call.clone()),
					length_bound: len,
				},
			),
			(proposer, pallet_collective::Call::vote { proposal: hash, index, approve: true }),
			(second, pallet_collective::Call::vote { proposal: hash, index, approve: aye }),
			(
				closer,
				pallet_collective::Call::close {
					proposal_hash: hash,
					index,
					proposal_weight_bound: weight,
					length_bound: len,
				},
			),
		];
		for (who, step) in steps {
			if self.signed(&who, RuntimeCall::Council(step)) != Some(Ok(())) {
				self.stats.motions_not_executed += 1;
				return;
			}
		}
		let executed = System::events().iter().rev().find_map(|r| match &r.event {
			RuntimeEvent::Council(pallet_collective::Event::Executed { proposal_hash, result })
				if *proposal_hash == hash =>
			{
				Some(*result)
			}
			_ => None,
		});
		match executed {
			Some(result) => {
				self.set_outcome(format!("motion executed: {result:?}"));
				self.tally(&call, &result);
			}
			None => self.stats.motions_not_executed += 1,
		}
	}

	fn apply(&mut self, who: Who, call: RuntimeCall) {
		let first_event = System::read_events_no_consensus().count();
		let oracle = self.access_oracle(&who, &call);
		let result = self.apply_inner(who, call);
		if let (Some(expected), Some(result)) = (oracle, result) {
			self.check_access_oracle(expected, result, first_event);
		}
		self.learn(first_event);
	}

	/// The outcome of a signed call, if it was applied.
	fn apply_inner(&mut self, who: Who, call: RuntimeCall) -> Option<Result<(), DispatchError>> {
		match who {
			Who::Signed(acc) => return self.signed(&acc, call),
			Who::Gov => match self.rng.below(10) {
				0..=6 => self.root(call),
				7 | 8 => self.council(call),
				_ => self.sudo(call),
			},
		}
		None
	}

	/// Issue 13, finding 9 ("every access check agrees"): before a `log_access` on a record of
	/// the named patient, what the runtime API's functions answer for it (`record_access`, and
	/// `access_basis` / `has_access` with the record's own scope).
	fn access_oracle(
		&self,
		who: &Who,
		call: &RuntimeCall,
	) -> Option<Result<pallet_consent::AccessBasis, pallet_consent::AccessDenial>> {
		let (
			Who::Signed(accessor),
			RuntimeCall::Consent(pallet_consent::Call::log_access { patient, record_id, purpose }),
		) = (who, call)
		else {
			return None;
		};
		let record = pallet_records::Records::<Runtime>::get(record_id)?;
		if record.subject != *patient {
			return None;
		}
		let now = Self::now();
		let by_record = pallet_consent::Pallet::<Runtime>::decide_record_access(
			accessor, record_id, *purpose, now,
		)
		.map(|(_, _, basis)| basis);
		let retracted = matches!(record.status, pallet_records::RecordStatus::Retracted { .. });
		if !retracted {
			let by_scope = pallet_consent::Pallet::<Runtime>::access_basis(
				patient,
				accessor,
				record.scope,
				*purpose,
			);
			let has = pallet_consent::Pallet::<Runtime>::has_access(
				patient,
				accessor,
				record.scope,
				*purpose,
			);
			if by_scope != by_record || has != by_record.is_ok() {
				self.finding(&format!(
					"access checks disagree for {}: record_access {by_record:?}, access_basis \
					 {by_scope:?}, has_access {has}",
					self.cast.readable(format!("{call:?}"))
				));
			}
		}
		Some(by_record)
	}

	/// A `log_access` must succeed exactly when the access rule allows it, with that basis,
	/// and fail with the rule's reason otherwise.
	fn check_access_oracle(
		&mut self,
		expected: Result<pallet_consent::AccessBasis, pallet_consent::AccessDenial>,
		result: Result<(), DispatchError>,
		first_event: usize,
	) {
		let logged = System::events().into_iter().skip(first_event).find_map(|r| match r.event {
			RuntimeEvent::Consent(pallet_consent::Event::AccessLogged { basis, .. }) => Some(basis),
			_ => None,
		});
		let agree = match (&expected, &result) {
			(Ok(basis), Ok(())) => logged.as_ref() == Some(basis),
			(Err(denial), Err(e)) => error_name(e) == format!("{denial:?}"),
			_ => false,
		};
		if agree {
			*self
				.stats
				.events
				.entry("consent: log_access agreed with the API".into())
				.or_default() += 1;
		} else {
			self.finding(&format!(
				"log_access returned {result:?} (logged basis {logged:?}) but the access rule \
				 answered {expected:?}"
			));
		}
	}

	// ---- blocks ---------------------------------------------------------------------------

	/// Build one block: initialize (Aura slot digest, hooks), timestamp, calls, idle, finalize;
	/// then check every invariant. Maybe jump ahead in time afterwards.
	fn block(&mut self) {
		let n = Self::now() + 1;
		self.episode_block += 1;
		self.slot += 1;
		let digest = sp_runtime::generic::Digest {
			logs: vec![sp_runtime::generic::DigestItem::PreRuntime(
				sp_consensus_aura::AURA_ENGINE_ID,
				sp_consensus_aura::Slot::from(self.slot).encode(),
			)],
		};
		let header = Header::new(n, H256::zero(), H256::zero(), self.parent_hash, digest);
		let _ = Executive::initialize_block(&header);

		// The timestamp inherent.
		let ts =
			RuntimeCall::Timestamp(pallet_timestamp::Call::set { now: self.slot * SLOT_DURATION });
		let info = ts.get_dispatch_info();
		self.push_trace("None (inherent)".into(), &ts);
		let res = ts.clone().dispatch(RuntimeOrigin::none());
		if let Err(e) = &res {
			self.finding(&format!("timestamp inherent failed: {e:?}"));
		}
		self.set_outcome("Ok(())".into());
		System::register_extra_weight_unchecked(info.total_weight(), info.class);
		System::note_applied_extrinsic(&res, info);
		Executive::inherents_applied();

		let calls = self.rng.below(u64::from(self.calls_per_block) + 1);
		for _ in 0..calls {
			let (who, call) = self.generate();
			self.apply(who, call);
		}
		System::note_finished_extrinsics();

		// on_idle with what the block has left, as the executive does.
		let max = RuntimeBlockWeights::get().max_block;
		let remaining = max.saturating_sub(System::block_weight().total());
		if remaining.all_gt(Weight::zero()) {
			let used = <AllPalletsWithSystem as OnIdle<BlockNumber>>::on_idle(n, remaining);
			if used.any_gt(remaining) {
				self.finding(&format!("on_idle used {used:?}, more than the {remaining:?} given"));
			}
			System::register_extra_weight_unchecked(used, DispatchClass::Mandatory);
		}
		<AllPalletsWithSystem as OnFinalize<BlockNumber>>::on_finalize(n);
		// The block-hash window `System::finalize` would move (its storage root is not needed).
		let count: BlockNumber = <Runtime as frame_system::Config>::BlockHashCount::get();
		if n > count + 1 {
			frame_system::BlockHash::<Runtime>::remove(n - count - 1);
		}
		self.parent_hash = BlakeTwo256::hash_of(&(self.seed, n));
		self.stats.blocks += 1;
		self.count_events(0);
		let held = pallet_consent::GrantCount::<Runtime>::get(self.cast.hoarder());
		self.stats.max_hoarder_grants = self.stats.max_hoarder_grants.max(held);
		if let Err(e) = self.check_invariants() {
			self.finding(&format!("invariant violated after block {n}: {e}"));
		}
		self.maybe_jump(n);
	}

	/// Jump ahead (no calls in between): run the credential-expiry hook for every block jumped
	/// over that has a bucket, and land so that the next block is `n + k`.
	fn maybe_jump(&mut self, n: BlockNumber) {
		let forced = self.episode_block == FORCED_JUMP_AT;
		if !forced && self.rng.below(400) != 0 {
			return;
		}
		let k: BlockNumber = if forced {
			configs::healthchain::AdjudicationDeadline::get() + 1
		} else {
			self.rng.pick(&[
				crate::HOURS,
				configs::healthchain::BreakGlassDuration::get(),
				configs::healthchain::BreakGlassPeriod::get(),
				configs::healthchain::DisputeWindow::get() + 1,
			])
		};
		let mut due: Vec<BlockNumber> = pallet_providers::Expiries::<Runtime>::iter_keys()
			.filter(|b| *b > n && *b < n + k)
			.collect();
		due.sort_unstable();
		for b in due {
			System::set_block_number(b);
			let first = System::read_events_no_consensus().count();
			<crate::Providers as Hooks<BlockNumber>>::on_initialize(b);
			self.count_events(first);
		}
		System::set_block_number(n + k - 1);
		self.slot += u64::from(k - 1);
		self.stats.jumps += 1;
		self.stats.jumped_blocks += u64::from(k - 1);
	}

	/// Count the notable events of the block from index `first` on.
	fn count_events(&mut self, first: usize) {
		for r in System::events().into_iter().skip(first) {
			let key: Option<String> = match r.event {
				RuntimeEvent::Consent(pallet_consent::Event::ConsentExpired { .. }) => {
					Some("consent: grant expired (swept or evicted)".into())
				}
				RuntimeEvent::Consent(pallet_consent::Event::BreakGlassClosed {
					cause, ..
				}) => Some(format!("consent: break-glass window closed ({cause:?})")),
				RuntimeEvent::Consent(pallet_consent::Event::BreakGlassReviewed {
					suspended: true,
					..
				}) => Some("consent: provider suspended after unjustified reviews".into()),
				RuntimeEvent::Providers(pallet_providers::Event::CredentialExpired { .. }) => {
					Some("providers: credential expired".into())
				}
				RuntimeEvent::Providers(pallet_providers::Event::SuspendedForCause { .. }) => {
					Some("providers: suspended for cause".into())
				}
				RuntimeEvent::Session(pallet_session::Event::NewSession { .. }) => {
					Some("session: new session".into())
				}
				RuntimeEvent::ValidatorSet(pallet_validator_set::Event::ValidatorDropped {
					..
				}) => Some("validator-set: validator dropped".into()),
				RuntimeEvent::ValidatorSet(pallet_validator_set::Event::DropDeferred {
					..
				}) => Some("validator-set: drop deferred (MinAuthorities)".into()),
				RuntimeEvent::ValidatorSet(pallet_validator_set::Event::SessionPlanned {
					..
				}) => Some("validator-set: new set planned".into()),
				RuntimeEvent::Grandpa(pallet_grandpa::Event::NewAuthorities { .. }) => {
					Some("grandpa: new authorities".into())
				}
				RuntimeEvent::Claims(pallet_claims::Event::ClaimSettled { .. }) => {
					Some("claims: escrow paid out".into())
				}
				RuntimeEvent::Claims(pallet_claims::Event::ClaimDisputed {
					escalated: true,
					..
				}) => Some("claims: overdue claim escalated".into()),
				RuntimeEvent::Claims(pallet_claims::Event::DisputeResolved { .. }) => {
					Some("claims: dispute resolved".into())
				}
				RuntimeEvent::Council(pallet_collective::Event::Executed { .. }) => {
					Some("council: motion executed".into())
				}
				RuntimeEvent::System(frame_system::Event::KilledAccount { .. }) => {
					Some("system: account reaped".into())
				}
				_ => None,
			};
			if let Some(k) = key {
				*self.stats.events.entry(k).or_default() += 1;
			}
		}
	}

	// ---- invariants -----------------------------------------------------------------------

	fn check_invariants(&mut self) -> Result<(), String> {
		pallet_records::Pallet::<Runtime>::do_try_state().map_err(|e| format!("records: {e:?}"))?;
		pallet_consent::Pallet::<Runtime>::do_try_state().map_err(|e| format!("consent: {e:?}"))?;
		pallet_claims::Pallet::<Runtime>::do_try_state().map_err(|e| format!("claims: {e:?}"))?;
		pallet_validator_set::Pallet::<Runtime>::do_try_state()
			.map_err(|e| format!("validator-set: {e:?}"))?;
		pallet_providers::Pallet::<Runtime>::do_try_state()
			.map_err(|e| format!("providers: {e:?}"))?;

		// Money: nothing mints or burns; every hold is a reserved balance.
		let issuance = Balances::total_issuance();
		if issuance != self.genesis_issuance {
			return Err(format!(
				"total issuance {issuance} differs from its genesis value {}",
				self.genesis_issuance
			));
		}
		let deposit_reason: crate::RuntimeHoldReason =
			pallet_providers::HoldReason::ProviderDeposit.into();
		let mut sum: Balance = 0;
		for (who, info) in frame_system::Account::<Runtime>::iter() {
			sum = sum.saturating_add(info.data.free).saturating_add(info.data.reserved);
			let held = Balances::total_balance_on_hold(&who);
			if held != info.data.reserved {
				return Err(format!(
					"{}: holds {held} but reserved {}",
					self.name_of(&who),
					info.data.reserved
				));
			}
			let deposit = Balances::balance_on_hold(&deposit_reason, &who);
			let expected =
				pallet_providers::Providers::<Runtime>::get(&who).map_or(0, |p| p.deposit);
			if deposit != expected {
				return Err(format!(
					"{}: provider deposit held {deposit}, registry says {expected}",
					self.name_of(&who)
				));
			}
		}
		if sum != issuance {
			return Err(format!("accounts hold {sum} in total, total issuance is {issuance}"));
		}

		// No organisation leaves the registry while a claim it is party to is open (issue 13,
		// finding 7: `deregister` refuses while there are open obligations).
		for (id, claim) in pallet_claims::Claims::<Runtime>::iter() {
			let open = matches!(
				claim.status,
				pallet_claims::ClaimStatus::Submitted
					| pallet_claims::ClaimStatus::Approved { .. }
					| pallet_claims::ClaimStatus::Disputed { .. }
			);
			if !open {
				continue;
			}
			for (role, who) in [("provider", &claim.provider), ("insurer", &claim.insurer)] {
				if !pallet_providers::Providers::<Runtime>::contains_key(who) {
					return Err(format!(
						"claim {id} is open ({:?}) but its {role} {} has left the registry",
						claim.status,
						self.name_of(who)
					));
				}
			}
		}

		// The consent sweep's cursor: nothing at or below it is still queued.
		let swept = pallet_consent::SweptUpTo::<Runtime>::get();
		if swept > Self::now() {
			return Err(format!("consent swept up to {swept}, beyond block {}", Self::now()));
		}
		if let Some((at, _)) =
			pallet_consent::ExpiryQueue::<Runtime>::iter_keys().find(|(at, _)| *at <= swept)
		{
			return Err(format!("consent expiry at {at} still queued, swept up to {swept}"));
		}

		// Liveness: someone can author the next block.
		if pallet_aura::Authorities::<Runtime>::get().is_empty() {
			return Err("the Aura authority set is empty".into());
		}
		Ok(())
	}

	/// Panic with everything needed to reproduce and read a finding.
	fn finding(&self, what: &str) -> ! {
		panic!("{}", self.finding_report(what));
	}

	fn finding_report(&self, what: &str) -> String {
		let mut s = String::new();
		let _ = writeln!(s, "\n=== healthchain runtime fuzzer: FINDING ===");
		let _ = writeln!(s, "{what}");
		let _ = writeln!(
			s,
			"episode seed {:#x}, block {} (block {} of the episode), slot {}",
			self.seed,
			Self::now(),
			self.episode_block,
			self.slot
		);
		let _ = writeln!(
			s,
			"reproduce: HEALTHCHAIN_FUZZ_SEED={:#x} HEALTHCHAIN_FUZZ_BLOCKS={} \
			 HEALTHCHAIN_FUZZ_EPISODE={} scripts/fuzz",
			self.seed, self.episode_block, self.episode_block
		);
		let _ = writeln!(s, "last {} calls, oldest first:", self.trace.len());
		for t in &self.trace {
			let call = self.cast.readable(format!("{:?}", t.call));
			let _ = writeln!(s, "  block {} | {} | {} -> {}", t.block, t.origin, call, t.outcome);
		}
		s
	}

	// ---- argument pools -------------------------------------------------------------------

	fn care_provider(&mut self) -> AccountId {
		let c = self.cast;
		match self.rng.below(12) {
			0..=4 => c.alice.clone(),
			5..=8 => c.bob.clone(),
			9 => c.orgs[0].account.clone(),
			10 => c.orgs[2].account.clone(),
			_ => c.orgs[3].account.clone(),
		}
	}

	fn insurer(&mut self) -> AccountId {
		match self.rng.below(25) {
			0..=20 => self.cast.charlie.clone(),
			21..=23 => self.cast.orgs[1].account.clone(),
			_ => self.anyone(),
		}
	}

	fn patient(&mut self) -> AccountId {
		let c = self.cast;
		self.rng.pick(&c.patients)
	}

	fn stranger(&mut self) -> AccountId {
		let s = &self.cast.strangers;
		s[self.rng.index(s.len())].clone()
	}

	fn anyone(&mut self) -> AccountId {
		match self.rng.below(4) {
			0 => self.care_provider(),
			1 => self.stranger(),
			2 => {
				let s = self.cast.signers();
				self.rng.pick(&s)
			}
			_ => self.patient(),
		}
	}

	fn signer(&mut self) -> AccountId {
		let s = self.cast.signers();
		self.rng.pick(&s)
	}

	/// A recently anchored record (most of the time), or any.
	fn record(&mut self) -> Option<Rec> {
		let n = self.model.records.len();
		if n == 0 {
			return None;
		}
		let i = if self.rng.percent(80) {
			n - 1 - self.rng.index(n.min(60))
		} else {
			self.rng.index(n)
		};
		Some(self.model.records[i].clone())
	}

	fn record_id(&mut self) -> H256 {
		match self.record() {
			Some(r) if self.rng.percent(95) => r.id,
			_ => self.rng.h256(),
		}
	}

	/// An expiry for a grant: none, a few blocks ahead, the shared block, the past, far.
	fn grant_expiry(&mut self) -> Option<BlockNumber> {
		let now = Self::now();
		match self.rng.below(20) {
			0..=3 => None,
			4..=9 => Some(now + self.rng.range(1, 20) as BlockNumber),
			10..=14 => Some(self.shared_expiry()),
			15 => Some(now),
			16..=18 => Some(now + self.rng.range(100, 20_000) as BlockNumber),
			_ => Some(BlockNumber::MAX),
		}
	}

	/// An expiry for a grant meant to be used (care, billing): mostly long-lived.
	fn lasting_grant_expiry(&mut self) -> Option<BlockNumber> {
		let now = Self::now();
		match self.rng.below(20) {
			0..=6 => None,
			7..=12 => Some(now + self.rng.range(200, 1_000_000) as BlockNumber),
			13..=16 => Some(now + self.rng.range(1, 30) as BlockNumber),
			_ => Some(self.shared_expiry()),
		}
	}

	fn shared_expiry(&mut self) -> BlockNumber {
		let now = Self::now();
		if self.model.shared_expiry <= now {
			self.model.shared_expiry = now + self.rng.range(3, 40) as BlockNumber;
		}
		self.model.shared_expiry
	}

	fn credential_expiry(&mut self) -> BlockNumber {
		let now = Self::now();
		match self.rng.below(20) {
			0..=3 => now + self.rng.range(1, 30) as BlockNumber,
			4..=16 => now + self.rng.range(1_000, 2_000_000) as BlockNumber,
			17 => self.shared_expiry(),
			18 => now,
			_ => now + configs::healthchain::MaxCredentialDuration::get() + 1,
		}
	}

	fn scopes(&mut self) -> Scopes {
		match self.rng.below(10) {
			0..=3 => Scopes::all(),
			4..=7 => Scopes::from(self.rng.pick(Scope::ALL)),
			8 => Scopes(self.rng.below(0x80) as u16),
			_ => Scopes(self.rng.below(0x400) as u16),
		}
	}

	fn purposes(&mut self) -> Purposes {
		match self.rng.below(10) {
			0..=6 => Purposes::from(self.rng.pick(Purpose::ALL)),
			7 | 8 => Purposes::all(),
			_ => Purposes(self.rng.below(0x20) as u8),
		}
	}

	fn purpose(&mut self) -> Purpose {
		match self.rng.below(20) {
			0..=9 => Purpose::Treatment,
			10..=14 => Purpose::Payment,
			15..=17 => Purpose::Operations,
			_ => Purpose::Research,
		}
	}

	fn consent_digest(&mut self) -> Option<H256> {
		match self.rng.below(20) {
			0..=11 => None,
			12..=18 => Some(self.rng.h256()),
			_ => Some(H256::zero()),
		}
	}

	fn retract_reason(&mut self) -> pallet_records::RetractReason {
		use pallet_records::RetractReason::*;
		self.rng.pick(&[EnteredInError, Duplicate, PatientRequest, Replaced, Other])
	}

	/// A claim id: most of the time a recent claim whose status `want` accepts.
	fn claim_id(
		&mut self,
		want: impl Fn(&pallet_claims::ClaimOf<Runtime>) -> bool,
	) -> pallet_claims::ClaimId {
		let next = pallet_claims::NextClaimId::<Runtime>::get();
		if next > 0 && self.rng.percent(90) {
			let candidates: Vec<u64> = (next.saturating_sub(64)..next)
				.filter(|id| pallet_claims::Claims::<Runtime>::get(id).is_some_and(|c| want(&c)))
				.collect();
			if !candidates.is_empty() {
				return self.rng.pick(&candidates);
			}
		}
		self.rng.below(next + 1)
	}

	fn registered(
		&self,
		want: impl Fn(&pallet_providers::ProviderStatus) -> bool,
	) -> Vec<AccountId> {
		pallet_providers::Providers::<Runtime>::iter()
			.filter(|(_, p)| want(&p.status))
			.map(|(who, _)| who)
			.collect()
	}

	/// A registered organisation in a status `want` accepts (mostly), or any organisation.
	fn org_in(&mut self, want: impl Fn(&pallet_providers::ProviderStatus) -> bool) -> AccountId {
		let v = self.registered(want);
		if !v.is_empty() && self.rng.percent(85) {
			return self.rng.pick(&v);
		}
		let all = self.cast.all_orgs();
		self.rng.pick(&all).0
	}

	fn grantee_of(&mut self, patient: &AccountId) -> Option<AccountId> {
		let grantees: Vec<AccountId> =
			pallet_consent::Grants::<Runtime>::iter_prefix(patient).map(|(g, _)| g).collect();
		if grantees.is_empty() {
			None
		} else {
			Some(self.rng.pick(&grantees))
		}
	}

	/// Nodes for `who` to list: mostly valid ed25519 peer ids (a pool of 4 keys shared by
	/// all organisations, so ids collide) with proofs made out to `who`, sometimes a proof for
	/// another account or a malformed peer id.
	fn node_proofs(
		&mut self,
		who: &AccountId,
	) -> BoundedVec<pallet_providers::NodeProof, ConstU32Nodes> {
		use sp_core::Pair;
		let genesis = pallet_providers::Pallet::<Runtime>::genesis_hash();
		let k = self.rng.below(4);
		let mut nodes = Vec::new();
		for _ in 0..k {
			let key = sp_core::ed25519::Pair::from_seed(&[self.rng.below(4) as u8 + 1; 32]);
			let mut peer_id = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
			peer_id.extend_from_slice(key.public().as_ref());
			let signer =
				if self.rng.percent(95) { who.clone() } else { AccountId::from([9u8; 32]) };
			let message = pallet_providers::node_proof_message(genesis.as_ref(), &signer);
			if self.rng.percent(3) {
				peer_id = vec![0x00, 5, 1, 2, 3];
			}
			nodes.push(pallet_providers::NodeProof {
				peer_id: BoundedVec::truncate_from(peer_id),
				signature: key.sign(&message),
			});
		}
		BoundedVec::truncate_from(nodes)
	}

	// ---- generators -----------------------------------------------------------------------

	/// Organisations look after their standing, as real ones do: now and then one that has
	/// left, is pending, suspended, lapsed or about to lapse is brought back (registers again,
	/// governance approves or reinstates it, it renews for long). Mostly the genesis
	/// organisations, which carry the chain's care and billing; candidates less often.
	fn repair(&mut self) -> Option<(Who, RuntimeCall)> {
		if !self.rng.percent(20) {
			return None;
		}
		let c = self.cast;
		let orgs = c.all_orgs();
		let (who, roles) = if self.rng.percent(80) {
			orgs[self.rng.index(3)].clone()
		} else {
			self.rng.pick(&orgs[3..])
		};
		let now = Self::now();
		let long_expiry = now + self.rng.range(50_000, 5_000_000) as BlockNumber;
		use pallet_providers::ProviderStatus::*;
		match pallet_providers::Providers::<Runtime>::get(&who) {
			None => Some((
				Who::Signed(who),
				RuntimeCall::Providers(pallet_providers::Call::register {
					roles,
					credential_digest: self.rng.h256(),
					credential_expires_at: long_expiry,
				}),
			)),
			Some(p) if p.status == Pending => {
				Some((Who::Gov, RuntimeCall::Providers(pallet_providers::Call::approve { who })))
			}
			Some(p) if p.status == Suspended => {
				Some((Who::Gov, RuntimeCall::Providers(pallet_providers::Call::reinstate { who })))
			}
			Some(p)
				if p.status == Active
					&& c.orgs.iter().any(|o| o.account == who)
					&& !pallet_session::NextKeys::<Runtime>::contains_key(&who)
					&& self.rng.percent(50) =>
			{
				let i = c.orgs.iter().position(|o| o.account == who)?;
				Some((
					Who::Signed(who),
					RuntimeCall::Session(pallet_session::Call::set_keys {
						keys: c.orgs[i].keys.clone(),
						proof: c.orgs[i].proofs[i].clone(),
					}),
				))
			}
			Some(p) if p.status == Active && p.credential_expires_at <= now + 50 => Some((
				Who::Signed(who),
				RuntimeCall::Providers(pallet_providers::Call::renew_credential {
					credential_digest: self.rng.h256(),
					credential_expires_at: long_expiry,
				}),
			)),
			_ => None,
		}
	}

	fn generate(&mut self) -> (Who, RuntimeCall) {
		if let Some(repair) = self.repair() {
			return repair;
		}
		let total: u32 = ACTIONS.iter().map(|(w, _)| w).sum();
		let mut x = self.rng.below(total.into()) as u32;
		let mut action = Action::Anchor;
		for (w, a) in ACTIONS {
			if x < *w {
				action = *a;
				break;
			}
			x -= w;
		}
		match self.gen(action) {
			Some(c) => c,
			None => self.gen(Action::Anchor).expect("anchor always generates"),
		}
	}

	fn gen(&mut self, action: Action) -> Option<(Who, RuntimeCall)> {
		use Action::*;
		let c = self.cast;
		let signed = |who: AccountId| Who::Signed(who);
		Some(match action {
			Anchor => {
				let author =
					if self.rng.percent(95) { self.care_provider() } else { self.anyone() };
				self.model.local_ids += 1;
				let local_id = if self.rng.percent(95) {
					H256::from_low_u64_be(self.model.local_ids)
				} else {
					H256::from_low_u64_be(self.rng.below(self.model.local_ids))
				};
				let subject = if self.rng.percent(95) { self.patient() } else { self.stranger() };
				let digest = if self.rng.percent(98) { self.rng.h256() } else { H256::zero() };
				let scope = self.rng.pick(Scope::ALL);
				let kind = pallet_records::RecordKind(self.rng.below(15) as u16);
				(
					signed(author),
					RuntimeCall::Records(pallet_records::Call::anchor {
						local_id,
						subject,
						digest,
						kind,
						scope,
					}),
				)
			}
			Amend => {
				let rec = self.record()?;
				let who =
					if self.rng.percent(85) { rec.author.clone() } else { self.care_provider() };
				let digest = match self.rng.below(20) {
					0 => pallet_records::Records::<Runtime>::get(rec.id)
						.map_or_else(|| self.rng.h256(), |e| e.digest),
					1 => H256::zero(),
					_ => self.rng.h256(),
				};
				(
					signed(who),
					RuntimeCall::Records(pallet_records::Call::amend { record_id: rec.id, digest }),
				)
			}
			Retract => {
				let rec = self.record()?;
				let who =
					if self.rng.percent(85) { rec.author.clone() } else { self.care_provider() };
				let reason = self.retract_reason();
				(
					signed(who),
					RuntimeCall::Records(pallet_records::Call::retract {
						record_id: rec.id,
						reason,
					}),
				)
			}
			ForceRetract => {
				let record_id = self.record_id();
				let reason = self.retract_reason();
				(
					Who::Gov,
					RuntimeCall::Records(pallet_records::Call::force_retract { record_id, reason }),
				)
			}
			AnchorBatch => {
				let who = if self.rng.percent(95) { self.care_provider() } else { self.anyone() };
				let root = match self.rng.below(20) {
					0 if !self.model.roots.is_empty() => {
						let r = self.model.roots.clone();
						self.rng.pick(&r)
					}
					1 => H256::zero(),
					_ => {
						let r = self.rng.h256();
						self.model.roots.push(r);
						r
					}
				};
				let max = <Runtime as pallet_records::Config>::MaxBatchLeaves::get();
				let leaf_count = match self.rng.below(20) {
					0 => 0,
					1 => max,
					2 => max + 1,
					3 => 1,
					_ => self.rng.range(2, 100_000) as u32,
				};
				(
					signed(who),
					RuntimeCall::Records(pallet_records::Call::anchor_batch { root, leaf_count }),
				)
			}
			Grant => {
				let (patient, grantee, scopes, purposes, lasting) = self.grant_terms();
				let expires_at =
					if lasting { self.lasting_grant_expiry() } else { self.grant_expiry() };
				let consent_digest = self.consent_digest();
				(
					signed(patient),
					RuntimeCall::Consent(pallet_consent::Call::grant {
						grantee,
						scopes,
						purposes,
						expires_at,
						consent_digest,
					}),
				)
			}
			HoarderGrant => {
				// One patient grants to many strangers, mostly for long: it reaches
				// `MaxGrantsPerPatient`, then expired grants are evicted to make room.
				let grantee = self.stranger();
				let scopes = self.scopes();
				let purposes = self.purposes();
				let now = Self::now();
				let expires_at = match self.rng.below(10) {
					0..=5 => None,
					6 | 7 => Some(now + self.rng.range(1, 20) as BlockNumber),
					_ => Some(self.shared_expiry()),
				};
				(
					signed(c.hoarder().clone()),
					RuntimeCall::Consent(pallet_consent::Call::grant {
						grantee,
						scopes,
						purposes,
						expires_at,
						consent_digest: None,
					}),
				)
			}
			Revoke => {
				let patient =
					if self.rng.percent(15) { c.hoarder().clone() } else { self.patient() };
				let grantee = match self.grantee_of(&patient) {
					Some(g) if self.rng.percent(90) => g,
					_ => self.anyone(),
				};
				(signed(patient), RuntimeCall::Consent(pallet_consent::Call::revoke { grantee }))
			}
			AddGuardian => {
				let patient = self.patient();
				let guardian = match self.rng.below(10) {
					0 => patient.clone(),
					1 => self.stranger(),
					_ => self.patient(),
				};
				(
					signed(patient),
					RuntimeCall::Consent(pallet_consent::Call::add_guardian { guardian }),
				)
			}
			RemoveGuardian => {
				let patient = self.patient();
				let guardians = pallet_consent::Guardians::<Runtime>::get(&patient).into_inner();
				let guardian = if !guardians.is_empty() && self.rng.percent(90) {
					self.rng.pick(&guardians)
				} else {
					self.patient()
				};
				(
					signed(patient),
					RuntimeCall::Consent(pallet_consent::Call::remove_guardian { guardian }),
				)
			}
			GrantFor => {
				let (patient, grantee, scopes, purposes, lasting) = self.grant_terms();
				let guardian = self.guardian_of(&patient);
				let expires_at =
					if lasting { self.lasting_grant_expiry() } else { self.grant_expiry() };
				let consent_digest = self.consent_digest();
				(
					signed(guardian),
					RuntimeCall::Consent(pallet_consent::Call::grant_for {
						patient,
						grantee,
						scopes,
						purposes,
						expires_at,
						consent_digest,
					}),
				)
			}
			RevokeFor => {
				let patient = self.patient();
				let guardian = self.guardian_of(&patient);
				let grantee = match self.grantee_of(&patient) {
					Some(g) if self.rng.percent(90) => g,
					_ => self.anyone(),
				};
				(
					signed(guardian),
					RuntimeCall::Consent(pallet_consent::Call::revoke_for { patient, grantee }),
				)
			}
			BreakGlass => {
				let who = match self.rng.below(10) {
					0..=6 => c.alice.clone(),
					7 | 8 => c.orgs[3].account.clone(),
					_ => self.anyone(),
				};
				let patient = if self.rng.percent(97) { self.patient() } else { who.clone() };
				use pallet_consent::BreakGlassReason::*;
				let reason = self.rng.pick(&[
					PatientUnableToConsent,
					LifeThreatening,
					PublicHealthEmergency,
					Other,
				]);
				(
					signed(who),
					RuntimeCall::Consent(pallet_consent::Call::break_glass { patient, reason }),
				)
			}
			ReviewBreakGlass => {
				let next = pallet_consent::NextBreakGlassId::<Runtime>::get();
				let id = if next > 0 && self.rng.percent(90) {
					next - 1 - self.rng.below(next.min(8))
				} else {
					self.rng.below(next + 2)
				};
				let verdict = if self.rng.percent(75) {
					pallet_consent::Verdict::Justified
				} else {
					pallet_consent::Verdict::Unjustified
				};
				(
					Who::Gov,
					RuntimeCall::Consent(pallet_consent::Call::review_break_glass { id, verdict }),
				)
			}
			LogAccess => {
				let (who, entry) = self.access()?;
				(
					signed(who),
					RuntimeCall::Consent(pallet_consent::Call::log_access {
						patient: entry.patient,
						record_id: entry.record_id,
						purpose: entry.purpose,
					}),
				)
			}
			LogAccessBatch => {
				let (who, first) = self.access()?;
				let mut entries = vec![first];
				for _ in 0..self.rng.below(5) {
					if let Some((_, e)) = self.access_for(&who) {
						entries.push(e);
					}
				}
				// Half the batches: only accesses a live grant to the accessor covers.
				if self.rng.percent(50) {
					let k = 1 + self.rng.below(6) as usize;
					let covered = self.covered_accesses(&who, k);
					if !covered.is_empty() {
						entries = covered;
					}
				}
				if self.rng.percent(3) {
					entries.clear();
				}
				(
					signed(who),
					RuntimeCall::Consent(pallet_consent::Call::log_access_batch {
						entries: BoundedVec::truncate_from(entries),
					}),
				)
			}
			CloseBreakGlass => {
				let windows: Vec<(AccountId, AccountId)> =
					pallet_consent::OpenWindows::<Runtime>::iter()
						.map(|(p, q, _)| (p, q))
						.collect();
				let (patient, provider) = if !windows.is_empty() && self.rng.percent(85) {
					self.rng.pick(&windows)
				} else {
					(self.patient(), c.alice.clone())
				};
				let call = RuntimeCall::Consent(pallet_consent::Call::close_break_glass {
					patient: patient.clone(),
					provider,
				});
				let who = match self.rng.below(10) {
					0..=3 => signed(patient.clone()),
					4 | 5 => signed(self.guardian_of(&patient)),
					6 | 7 => Who::Gov,
					_ => signed(self.anyone()),
				};
				(who, call)
			}
			Submit => return self.submit(),
			Adjudicate => {
				let claim_id = self.claim_id(|c| c.status == pallet_claims::ClaimStatus::Submitted);
				let claim = pallet_claims::Claims::<Runtime>::get(claim_id);
				let who = match &claim {
					Some(cl) if self.rng.percent(92) => cl.insurer.clone(),
					_ => self.insurer(),
				};
				let amount = claim.as_ref().map_or(100 * UNIT, |cl| cl.amount);
				let decision = match self.rng.below(20) {
					0..=8 => pallet_claims::Decision::Approve,
					9..=13 => pallet_claims::Decision::Partial(match self.rng.below(10) {
						0 => 0,
						1 => amount + 1,
						_ => self.rng.range(1, amount.max(1) as u64) as Balance,
					}),
					_ => pallet_claims::Decision::Deny(pallet_claims::ReasonCode(
						self.rng.below(100) as u16,
					)),
				};
				(
					signed(who),
					RuntimeCall::Claims(pallet_claims::Call::adjudicate { claim_id, decision }),
				)
			}
			Settle => {
				let claim_id = self
					.claim_id(|c| matches!(c.status, pallet_claims::ClaimStatus::Approved { .. }));
				(
					signed(self.signer()),
					RuntimeCall::Claims(pallet_claims::Call::settle { claim_id }),
				)
			}
			Dispute => {
				use pallet_claims::ClaimStatus::*;
				let claim_id = self.claim_id(|c| match c.status {
					Denied { .. } | Submitted => true,
					Approved { approved, .. } => approved < c.amount,
					Settled { paid, .. } => paid < c.amount,
					_ => false,
				});
				let who = match pallet_claims::Claims::<Runtime>::get(claim_id) {
					Some(cl) if self.rng.percent(92) => cl.provider,
					_ => self.care_provider(),
				};
				let reason_digest =
					if self.rng.percent(97) { self.rng.h256() } else { H256::zero() };
				(
					signed(who),
					RuntimeCall::Claims(pallet_claims::Call::dispute { claim_id, reason_digest }),
				)
			}
			ResolveDispute => {
				let claim_id = self
					.claim_id(|c| matches!(c.status, pallet_claims::ClaimStatus::Disputed { .. }));
				let remainder = match pallet_claims::Claims::<Runtime>::get(claim_id) {
					Some(cl) => match cl.status {
						pallet_claims::ClaimStatus::Disputed { paid, .. } => {
							cl.amount.saturating_sub(paid)
						}
						_ => cl.amount,
					},
					None => 10 * UNIT,
				};
				let award = match self.rng.below(10) {
					0..=1 => 0,
					2..=4 => remainder,
					5..=8 => remainder / 2,
					_ => remainder + 1,
				};
				(
					Who::Gov,
					RuntimeCall::Claims(pallet_claims::Call::resolve_dispute { claim_id, award }),
				)
			}
			Withdraw => {
				let claim_id = self.claim_id(|c| c.status == pallet_claims::ClaimStatus::Submitted);
				let who = match pallet_claims::Claims::<Runtime>::get(claim_id) {
					Some(cl) if self.rng.percent(90) => cl.provider,
					_ => self.care_provider(),
				};
				(signed(who), RuntimeCall::Claims(pallet_claims::Call::withdraw { claim_id }))
			}
			Register => {
				let orgs = c.all_orgs();
				let unregistered: Vec<(AccountId, Roles)> = orgs
					.iter()
					.filter(|(a, _)| !pallet_providers::Providers::<Runtime>::contains_key(a))
					.cloned()
					.collect();
				let (who, roles) = match self.rng.below(10) {
					0..=7 if !unregistered.is_empty() => self.rng.pick(&unregistered),
					8 => (self.patient(), Roles::from(Role::Pharmacy)),
					_ => self.rng.pick(&orgs),
				};
				let roles =
					if self.rng.percent(88) { roles } else { Roles(self.rng.below(0x100) as u16) };
				let credential_digest = self.rng.h256();
				let credential_expires_at = self.credential_expiry();
				(
					signed(who),
					RuntimeCall::Providers(pallet_providers::Call::register {
						roles,
						credential_digest,
						credential_expires_at,
					}),
				)
			}
			Approve | Reject => {
				let who = self.org_in(|s| *s == pallet_providers::ProviderStatus::Pending);
				let call = if matches!(action, Approve) {
					pallet_providers::Call::approve { who }
				} else {
					pallet_providers::Call::reject { who }
				};
				(Who::Gov, RuntimeCall::Providers(call))
			}
			Suspend => {
				let who = self.org_in(|s| *s == pallet_providers::ProviderStatus::Active);
				(Who::Gov, RuntimeCall::Providers(pallet_providers::Call::suspend { who }))
			}
			Reinstate => {
				let who = self.org_in(|s| *s == pallet_providers::ProviderStatus::Suspended);
				(Who::Gov, RuntimeCall::Providers(pallet_providers::Call::reinstate { who }))
			}
			RevokeProvider => {
				// Mostly the rogue clinic (revocation is terminal: a revoked genesis insurer
				// ends billing for the episode, a revoked candidate never validates again).
				let who = match self.rng.below(20) {
					0..=15 => c.orgs[4].account.clone(),
					16..=18 => {
						let i = self.rng.index(c.orgs.len());
						c.orgs[i].account.clone()
					}
					_ => self.org_in(|_| true),
				};
				(Who::Gov, RuntimeCall::Providers(pallet_providers::Call::revoke { who }))
			}
			Renew => {
				let who = self.org_in(|s| *s != pallet_providers::ProviderStatus::Revoked);
				let credential_digest = self.rng.h256();
				let credential_expires_at = self.credential_expiry();
				(
					signed(who),
					RuntimeCall::Providers(pallet_providers::Call::renew_credential {
						credential_digest,
						credential_expires_at,
					}),
				)
			}
			Deregister => {
				let who = if self.rng.percent(75) {
					let i = self.rng.index(c.orgs.len());
					c.orgs[i].account.clone()
				} else {
					self.org_in(|_| true)
				};
				(signed(who), RuntimeCall::Providers(pallet_providers::Call::deregister {}))
			}
			SetNodes => {
				let who = self.org_in(|_| true);
				let nodes = self.node_proofs(&who);
				(signed(who), RuntimeCall::Providers(pallet_providers::Call::set_nodes { nodes }))
			}
			SetPermissioned => {
				let enabled = self.rng.percent(50);
				(
					Who::Gov,
					RuntimeCall::Providers(pallet_providers::Call::set_network_permissioned {
						enabled,
					}),
				)
			}
			SetKeys => {
				let i = self.rng.index(c.orgs.len());
				let j = if self.rng.percent(90) { i } else { self.rng.index(c.orgs.len()) };
				let org = &c.orgs[i];
				let proof = if self.rng.percent(95) {
					org.proofs[j].clone()
				} else {
					org.proofs[(j + 1) % c.orgs.len()].clone()
				};
				(
					signed(org.account.clone()),
					RuntimeCall::Session(pallet_session::Call::set_keys {
						keys: c.orgs[j].keys.clone(),
						proof,
					}),
				)
			}
			PurgeKeys => {
				let i = self.rng.index(c.orgs.len());
				(
					signed(c.orgs[i].account.clone()),
					RuntimeCall::Session(pallet_session::Call::purge_keys {}),
				)
			}
			AddValidator => {
				// Mostly an active candidate with session keys that does not validate yet.
				let set = pallet_validator_set::Validators::<Runtime>::get();
				let ready: Vec<AccountId> = c
					.orgs
					.iter()
					.map(|o| o.account.clone())
					.filter(|a| {
						!set.contains(a)
							&& pallet_session::NextKeys::<Runtime>::contains_key(a)
							&& pallet_providers::Pallet::<Runtime>::active_roles(a)
								!= Roles::empty()
					})
					.collect();
				let who = match self.rng.below(20) {
					0..=13 if !ready.is_empty() => self.rng.pick(&ready),
					0..=16 => {
						let i = self.rng.index(c.orgs.len());
						c.orgs[i].account.clone()
					}
					_ => self.org_in(|_| true),
				};
				(
					Who::Gov,
					RuntimeCall::ValidatorSet(pallet_validator_set::Call::add_validator { who }),
				)
			}
			RemoveValidator => {
				let set = pallet_validator_set::Validators::<Runtime>::get().into_inner();
				let who = if !set.is_empty() && self.rng.percent(85) {
					self.rng.pick(&set)
				} else {
					self.org_in(|_| true)
				};
				(
					Who::Gov,
					RuntimeCall::ValidatorSet(pallet_validator_set::Call::remove_validator { who }),
				)
			}
			SetSessionLength => {
				let max = configs::consensus::sessions::MaxSessionLength::get();
				let blocks = self.rng.pick(&[5, 7, 10, 20, 50, 4, max + 1]);
				(
					Who::Gov,
					RuntimeCall::ValidatorSet(pallet_validator_set::Call::set_session_length {
						blocks,
					}),
				)
			}
			Transfer => {
				// Not the hoarder: it keeps its funds to pay for its grants.
				let mut from = self.signer();
				if from == *c.hoarder() {
					from = c.alice.clone();
				}
				let dest = self.anyone();
				let ed = crate::EXISTENTIAL_DEPOSIT;
				let value = match self.rng.below(10) {
					0..=5 => self.rng.range(1, 100) as Balance * UNIT,
					6 => self.rng.below(ed as u64) as Balance,
					7 => ed,
					8 => 2_000_000 * UNIT,
					_ => {
						Balances::reducible_balance(
							&from,
							frame_support::traits::tokens::Preservation::Preserve,
							frame_support::traits::tokens::Fortitude::Polite,
						) / 2
					}
				};
				(
					signed(from),
					RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
						dest: dest.into(),
						value,
					}),
				)
			}
			TransferAllowDeath => {
				let from = if self.rng.percent(60) {
					let i = 4 + self.rng.index(c.patients.len() - 4);
					c.patients[i].clone()
				} else {
					let i = self.rng.index(c.orgs.len());
					c.orgs[i].account.clone()
				};
				let dest = self.signer();
				let value = if self.rng.percent(40) {
					Balances::balance(&from)
				} else {
					self.rng.range(1, 500) as Balance * UNIT
				};
				(
					signed(from),
					RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
						dest: dest.into(),
						value,
					}),
				)
			}
			Batch => {
				let who = self.signer();
				let mut calls = Vec::new();
				for _ in 0..self.rng.range(2, 4) {
					let (w, call) = self.generate();
					if matches!(w, Who::Signed(_)) && !matches!(call, RuntimeCall::Utility(_)) {
						calls.push(call);
					}
				}
				let call = match self.rng.below(3) {
					0 => pallet_utility::Call::batch { calls },
					1 => pallet_utility::Call::batch_all { calls },
					_ => pallet_utility::Call::force_batch { calls },
				};
				(signed(who), RuntimeCall::Utility(call))
			}
		})
	}

	/// A guardian of `patient` (most of the time, if it has one), else some account.
	fn guardian_of(&mut self, patient: &AccountId) -> AccountId {
		let guardians = pallet_consent::Guardians::<Runtime>::get(patient).into_inner();
		if !guardians.is_empty() && self.rng.percent(85) {
			self.rng.pick(&guardians)
		} else {
			self.patient()
		}
	}

	/// Who grants what to whom: a care grant to a provider, a billing grant to an insurer, the
	/// hoarder's grant to a stranger, or anything.
	fn grant_terms(&mut self) -> (AccountId, AccountId, Scopes, Purposes, bool) {
		let patient = self.patient();
		match self.rng.below(20) {
			0..=6 => {
				let grantee = self.care_provider();
				let scopes = if self.rng.percent(60) { Scopes::all() } else { self.scopes() };
				let purposes = if self.rng.percent(80) {
					Purposes::from(Purpose::Treatment)
				} else {
					Purposes::from_items(&[Purpose::Treatment, Purpose::Operations])
				};
				(patient, grantee, scopes, purposes, true)
			}
			7..=12 => {
				let grantee = self.insurer();
				let scopes = if self.rng.percent(80) {
					Scopes::from(Scope::Billing)
				} else {
					Scopes::from_items(&[Scope::Billing, Scope::Clinical])
				};
				(patient, grantee, scopes, Purposes::from(Purpose::Payment), true)
			}
			13..=15 => {
				let grantee = self.stranger();
				let scopes = self.scopes();
				let purposes = self.purposes();
				// Mostly long-lived, so the hoarder fills `MaxGrantsPerPatient`.
				let lasting = self.rng.percent(70);
				(self.cast.hoarder().clone(), grantee, scopes, purposes, lasting)
			}
			_ => {
				let grantee = if self.rng.percent(5) { patient.clone() } else { self.anyone() };
				let scopes = self.scopes();
				let purposes = self.purposes();
				(patient, grantee, scopes, purposes, false)
			}
		}
	}

	/// An access to log: a record, its subject (mostly), an accessor holding a grant from the
	/// subject (often) and a purpose that grant covers (often).
	fn access(&mut self) -> Option<(AccountId, pallet_consent::AccessEntry<AccountId>)> {
		let rec = self.record()?;
		let grant = {
			let grants: Vec<(AccountId, Purposes)> =
				pallet_consent::Grants::<Runtime>::iter_prefix(&rec.subject)
					.map(|(g, grant)| (g, grant.purposes))
					.collect();
			if grants.is_empty() {
				None
			} else {
				Some(self.rng.pick(&grants))
			}
		};
		let (accessor, purpose) = match (grant, self.rng.below(10)) {
			(Some((g, purposes)), 0..=5) => {
				let covered: Vec<Purpose> =
					Purpose::ALL.iter().copied().filter(|p| purposes.contains(*p)).collect();
				let p = if !covered.is_empty() && self.rng.percent(85) {
					self.rng.pick(&covered)
				} else {
					self.purpose()
				};
				(g, p)
			}
			(_, 6 | 7) => (rec.author.clone(), self.purpose()),
			_ => {
				let a = if self.rng.percent(70) { self.care_provider() } else { self.insurer() };
				(a, self.purpose())
			}
		};
		let patient = if self.rng.percent(92) { rec.subject } else { self.patient() };
		Some((accessor, pallet_consent::AccessEntry { patient, record_id: rec.id, purpose }))
	}

	fn access_for(
		&mut self,
		accessor: &AccountId,
	) -> Option<(AccountId, pallet_consent::AccessEntry<AccountId>)> {
		let (_, mut entry) = self.access()?;
		// Prefer records of patients who granted this accessor something.
		if self.rng.percent(60) {
			if let Some(rec) = self
				.model
				.records
				.iter()
				.rev()
				.take(60)
				.find(|r| pallet_consent::Grants::<Runtime>::contains_key(&r.subject, accessor))
			{
				entry.patient = rec.subject.clone();
				entry.record_id = rec.id;
			}
		}
		Some((accessor.clone(), entry))
	}

	/// Up to `k` accesses by `accessor` that a live grant covers (the record's own scope, a
	/// purpose of the grant), among the recent records.
	fn covered_accesses(
		&mut self,
		accessor: &AccountId,
		k: usize,
	) -> Vec<pallet_consent::AccessEntry<AccountId>> {
		let now = Self::now();
		let mut out = Vec::new();
		let recent: Vec<Rec> = self.model.records.iter().rev().take(200).cloned().collect();
		for rec in recent {
			if out.len() >= k {
				break;
			}
			let Some(grant) = pallet_consent::Grants::<Runtime>::get(&rec.subject, accessor) else {
				continue;
			};
			let Some(entry) = pallet_records::Records::<Runtime>::get(rec.id) else { continue };
			if !grant.is_live(&now) || !grant.scopes.contains(entry.scope) {
				continue;
			}
			let purposes: Vec<Purpose> =
				Purpose::ALL.iter().copied().filter(|p| grant.purposes.contains(*p)).collect();
			if purposes.is_empty() {
				continue;
			}
			let purpose = self.rng.pick(&purposes);
			out.push(pallet_consent::AccessEntry {
				patient: rec.subject,
				record_id: rec.id,
				purpose,
			});
		}
		out
	}

	/// A claim: a care provider bills an insurer for records it anchored about a patient.
	fn submit(&mut self) -> Option<(Who, RuntimeCall)> {
		let provider = self.care_provider();
		let mut pairs: Vec<(AccountId, AccountId)> =
			self.model.by_pair.keys().filter(|(a, _)| *a == provider).cloned().collect();
		// Mostly patients in care with the provider (a treatment grant or an open window).
		if self.rng.percent(80) {
			let now = Self::now();
			let in_care: Vec<(AccountId, AccountId)> = pairs
				.iter()
				.filter(|(a, p)| {
					pallet_consent::Grants::<Runtime>::get(p, a)
						.is_some_and(|g| g.is_live(&now) && g.purposes.contains(Purpose::Treatment))
						|| pallet_consent::OpenWindows::<Runtime>::contains_key(p, a)
				})
				.cloned()
				.collect();
			if !in_care.is_empty() {
				pairs = in_care;
			}
		}
		let (patient, mut record_ids) = if !pairs.is_empty() && self.rng.percent(95) {
			let key = self.rng.pick(&pairs);
			let ids = self.model.by_pair.get(&key).cloned().unwrap_or_default();
			let k = self.rng.range(1, 3) as usize;
			let recent: Vec<H256> = ids.iter().rev().take(12).cloned().collect();
			let mut chosen: Vec<H256> = Vec::new();
			for _ in 0..k {
				let id = self.rng.pick(&recent);
				if !chosen.contains(&id) {
					chosen.push(id);
				}
			}
			(key.1, chosen)
		} else {
			(self.patient(), vec![self.record_id()])
		};
		match self.rng.below(40) {
			0 => record_ids.clear(),
			1 => {
				let id = record_ids[0];
				record_ids.push(id);
			}
			2 => record_ids.push(self.record_id()),
			_ => {}
		}
		// Mostly an insurer the patient lets see its billing data for payment.
		let billing: Vec<AccountId> = pallet_consent::Grants::<Runtime>::iter_prefix(&patient)
			.filter(|(_, g)| {
				g.scopes.contains(Scope::Billing) && g.purposes.contains(Purpose::Payment)
			})
			.map(|(insurer, _)| insurer)
			.collect();
		let insurer = if !billing.is_empty() && self.rng.percent(75) {
			self.rng.pick(&billing)
		} else {
			self.insurer()
		};
		let claim_digest = match self.rng.below(40) {
			0 if !self.model.claim_digests.is_empty() => {
				let d = self.model.claim_digests.clone();
				self.rng.pick(&d)
			}
			1 => H256::zero(),
			_ => {
				let d = self.rng.h256();
				self.model.claim_digests.push(d);
				d
			}
		};
		let max = configs::healthchain::MaxClaimAmount::get();
		let amount = match self.rng.below(40) {
			0 => 0,
			1 => max + 1,
			2..=4 => self.rng.range(900_000, 2_000_000) as Balance * UNIT,
			_ => self.rng.range(1, 1_000) as Balance * UNIT,
		};
		Some((
			Who::Signed(provider),
			RuntimeCall::Claims(pallet_claims::Call::submit {
				insurer,
				patient,
				claim_digest,
				amount,
				record_ids: BoundedVec::truncate_from(record_ids),
			}),
		))
	}

	/// Remember the records anchored by the events from index `first` on.
	fn learn(&mut self, first: usize) {
		for r in System::events().into_iter().skip(first) {
			if let RuntimeEvent::Records(pallet_records::Event::RecordAnchored {
				record_id,
				subject,
				author,
				..
			}) = r.event
			{
				self.model
					.by_pair
					.entry((author.clone(), subject.clone()))
					.or_default()
					.push(record_id);
				self.model.records.push(Rec { id: record_id, author, subject });
			}
		}
	}
}

/// `MaxNodesPerProvider` of the runtime.
type ConstU32Nodes = <Runtime as pallet_providers::Config>::MaxNodesPerProvider;

/// Run `settings.blocks` blocks in episodes; returns the merged statistics.
fn run(settings: &Settings) -> Stats {
	let cast = Cast::new();
	let mut total = Stats::default();
	let mut left = settings.blocks;
	let mut episode = 0u32;
	while left > 0 {
		let blocks = left.min(settings.episode);
		let seed = settings.episode_seed(episode);
		let mut ext = dev_genesis();
		let stats = ext.execute_with(|| {
			let mut f = Fuzzer::new(&cast, seed, settings.calls_per_block);
			f.setup();
			for _ in 0..blocks {
				let outcome = panic::catch_unwind(AssertUnwindSafe(|| f.block()));
				if let Err(e) = outcome {
					let msg = e
						.downcast_ref::<String>()
						.cloned()
						.or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
						.unwrap_or_default();
					if !msg.contains("=== healthchain runtime fuzzer: FINDING ===") {
						eprintln!("{}", f.finding_report(&format!("panic: {msg}")));
					}
					panic::resume_unwind(e);
				}
			}
			std::mem::take(&mut f.stats)
		});
		total.merge(stats);
		left -= blocks;
		episode += 1;
	}
	total
}

#[test]
fn fuzz_short_deterministic_run() {
	let settings = Settings::from_env();
	let start = Instant::now();
	let stats = run(&settings);
	println!("{}", stats.report(&settings, start.elapsed().as_secs_f64()));
	assert_eq!(stats.blocks, u64::from(settings.blocks));
	// The fuzzer must reach the chain's main flows, not only fail at the door.
	if settings.blocks >= DEFAULT_BLOCKS && settings.calls_per_block >= DEFAULT_CALLS {
		for call in [
			"Records.anchor",
			"Records.amend",
			"Consent.grant",
			"Consent.log_access",
			"Consent.break_glass",
			"Claims.submit",
			"Claims.adjudicate",
			"Claims.settle",
			"Providers.register",
			"Balances.transfer_keep_alive",
		] {
			assert!(stats.ok(call) >= 1, "no successful {call} in the run");
		}
		assert!(stats.executed() >= u64::from(settings.blocks), "too few calls executed");
		let swept = stats.events.get("consent: grant expired (swept or evicted)").copied();
		assert!(swept.unwrap_or(0) >= 1, "no grant expired: the sweep was not exercised");
		let sessions = stats.events.get("session: new session").copied();
		assert!(sessions.unwrap_or(0) >= 1, "no session rotation");
	}
}
