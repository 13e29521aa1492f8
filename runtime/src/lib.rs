//! # Healthchain runtime
//!
//! The state transition function of the Healthchain consortium chain. It composes FRAME's
//! system, timestamp, session, Aura, GRANDPA, balances, transaction-payment, utility, the
//! council (collective + membership) and sudo pallets with the Healthchain pallets
//! (validator-set, council-root, providers, records, consent, claims). Configuration lives in [`configs`], one module per area; genesis presets in
//! [`genesis_config_presets`]; runtime APIs in [`apis`].
//!
//! Chain identity: SS58 prefix [`SS58_PREFIX`] (7373), token `HLTH` with 12 decimals.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`impl_runtime_apis` expand to large types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

// `benchmarks` defines the `list_benchmarks!`/`add_benchmarks!` macros used by `apis`.
pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types. These are used by the CLI to instantiate machinery that don't need to know
/// the specifics of the runtime. They can then be made to be agnostic over specific formats
/// of data like extrinsics, allowing for them to continue syncing the network through upgrades
/// to even the core data structures.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
	/// The keys a validator registers: Aura for block authoring, GRANDPA for finality.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// The runtime's version. `spec_version` must be bumped for every runtime upgrade.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("healthchain"),
	impl_name: alloc::borrow::Cow::Borrowed("healthchain"),
	authoring_version: 1,
	spec_version: 105,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 4,
	system_version: 1,
};

/// Target block time. Aura produces a block each slot; GRANDPA finalizes right behind it.
/// Three seconds (not Substrate's usual six): with GRANDPA voting on the best block, a
/// transaction is final about 2-4 s after submission on a small consortium network, at the
/// same capacity per second (each block carries a third of its time in weight, see
/// `configs/system.rs`). Measured in docs/performance.md.
pub const MILLI_SECS_PER_BLOCK: u64 = 3000;

/// The Aura slot duration. It can not change once the chain has started.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Time measured in blocks.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// One hour in blocks.
pub const HOURS: BlockNumber = MINUTES * 60;
/// One day in blocks.
pub const DAYS: BlockNumber = HOURS * 24;

/// The chain's SS58 address prefix (not registered by any other network in ss58-registry 1.51).
pub const SS58_PREFIX: u16 = 7373;
/// The token symbol shown by wallets.
pub const TOKEN_SYMBOL: &str = "HLTH";
/// The number of decimals of the token.
pub const TOKEN_DECIMALS: u8 = 12;

/// One HLTH in plancks (the smallest unit).
pub const UNIT: Balance = 1_000_000_000_000;
/// One thousandth of a HLTH.
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// One millionth of a HLTH.
pub const MICRO_UNIT: Balance = 1_000_000;

/// The minimum balance an account must keep to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// Alias to 512-bit hash when used in the context of a transaction signature on the chain.
pub type Signature = MultiSignature;

/// Some way of identifying an account on the chain. We intentionally make it equivalent
/// to the public key of our transaction signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account.
pub type Balance = u128;

/// Index of a transaction in the chain.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// An index to a block.
pub type BlockNumber = u32;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// A Block signed with a Justification.
pub type SignedBlock = generic::SignedBlock<Block>;

/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions, checked for every signed extrinsic in this order.
///
/// `CheckMetadataHash` lets offline signers (and polkadot-js with `mode: 1`) prove the metadata
/// they decoded the call with is this runtime's metadata (RFC-0078).
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The extensions a Rust signer (node benchmarks, tests, tools) attaches to a transaction:
/// no tip, no metadata-hash check, the given nonce and mortality.
pub fn tx_extension(nonce: Nonce, era: sp_runtime::generic::Era) -> TxExtension {
	(
		frame_system::AuthorizeCall::<Runtime>::new(),
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// The payload a Rust signer signs for `call` with [`tx_extension`]: `genesis` is the chain's
/// genesis hash and `era_block` the hash of the block the era starts at (the genesis hash for
/// an immortal transaction).
pub fn signed_payload(
	call: RuntimeCall,
	nonce: Nonce,
	era: sp_runtime::generic::Era,
	genesis: Hash,
	era_block: Hash,
) -> SignedPayload {
	SignedPayload::from_raw(
		call,
		tx_extension(nonce, era),
		(
			(),
			(),
			VERSION.spec_version,
			VERSION.transaction_version,
			genesis,
			era_block,
			(),
			(),
			(),
			None,
			(),
		),
	)
}

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Pallets may build transactions of the runtime's extrinsic type (GRANDPA's equivocation
/// reports are unsigned transactions its runtime API submits to the pool).
impl<LocalCall> frame_system::offchain::CreateTransactionBase<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

/// A bare (unsigned) extrinsic of `call`: GRANDPA equivocation reports.
impl<LocalCall> frame_system::offchain::CreateBare<LocalCall> for Runtime
where
	RuntimeCall: From<LocalCall>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}

/// All migrations of the runtime, aside from the ones declared in the pallets.
/// Records v1 -> v2 gives every record its scope; claims v1 -> v2 fills the open-claim
/// counters, dispute deadlines and billed totals. Each runs once (versioned).
#[allow(unused_parens)]
type Migrations = (
	pallet_providers::migrations::MigrateV1ToV2<Runtime>,
	pallet_records::migrations::MigrateV1ToV2<Runtime>,
	pallet_claims::migrations::MigrateV1ToV2<Runtime>,
);

/// Executive: handles dispatch to the various modules.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

// Compose the runtime. Pallet indices are explicit and must never be reused: they are part of
// every encoded call and storage key.
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	// Hooks and genesis run in pallet-index order: the validator set before the session pallet
	// (whose genesis asks it for the first validators), and the session pallet before Aura and
	// GRANDPA (whose authorities it sets).
	#[runtime::pallet_index(2)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(3)]
	pub type Session = pallet_session;

	#[runtime::pallet_index(4)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(5)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(6)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(7)]
	pub type TransactionPayment = pallet_transaction_payment;

	#[runtime::pallet_index(8)]
	pub type Utility = pallet_utility;

	/// The block author (reporter of GRANDPA equivocations).
	#[runtime::pallet_index(9)]
	pub type Authorship = pallet_authorship;

	// Indices 10-19: consortium governance and validator accountability.
	#[runtime::pallet_index(11)]
	pub type Council = pallet_collective<Instance1>;

	#[runtime::pallet_index(12)]
	pub type CouncilMembership = pallet_membership<Instance1>;

	/// A 2/3 council motion dispatches root-only calls (runtime upgrades) without a sudo key.
	#[runtime::pallet_index(14)]
	pub type CouncilRoot = pallet_council_root;

	/// The session history: a root of each session's validator set, against which GRANDPA
	/// equivocation reports prove that a key belonged to a validator.
	#[runtime::pallet_index(15)]
	pub type Historical = pallet_session::historical;

	/// Proven validator offences (GRANDPA equivocations), handed to the validator set.
	#[runtime::pallet_index(16)]
	pub type Offences = pallet_offences;

	// Indices 20-29: Healthchain domain pallets (providers, records, consent, claims).
	#[runtime::pallet_index(20)]
	pub type Providers = pallet_providers;

	#[runtime::pallet_index(21)]
	pub type Records = pallet_records;

	#[runtime::pallet_index(22)]
	pub type Consent = pallet_consent;

	#[runtime::pallet_index(23)]
	pub type Claims = pallet_claims;

	// Indices 30-39: delegation.
	/// Keys an organisation delegates, each limited to a `ProxyType`.
	#[runtime::pallet_index(30)]
	pub type Proxy = pallet_proxy;

	/// k-of-n accounts (an organisation's root key held by its officers).
	#[runtime::pallet_index(31)]
	pub type Multisig = pallet_multisig;

	/// Sudo is keyed only in the development preset; the consortium preset has no sudo key.
	#[runtime::pallet_index(99)]
	pub type Sudo = pallet_sudo;
}

#[cfg(test)]
mod fuzz;
/// Runtime-level checks of the dev/local presets: they are built by the same code the node uses.
#[cfg(test)]
mod tests;
