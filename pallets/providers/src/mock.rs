//! A minimal runtime for the providers pallet's tests: system, balances (for the deposit
//! hold) and the registry, governed by root, with a test double for the claims pallet's open
//! obligations.

use crate as pallet_providers;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use healthchain_primitives::{OpenObligations, Role, Roles};
use sp_core::H256;
use sp_runtime::BuildStorage;
use std::{cell::RefCell, collections::BTreeMap};

type Block = frame_system::mocking::MockBlock<Test>;

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
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;

	#[runtime::pallet_index(2)]
	pub type ProvidersModule = pallet_providers;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u64>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// The registration deposit in tests.
pub const DEPOSIT: u64 = 100;
/// The longest credential validity in tests (blocks).
pub const MAX_DURATION: u64 = 1_000;
/// The most credentials lapsing at one block in tests.
pub const MAX_EXPIRIES: u32 = 3;

impl pallet_providers::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RegistrationDeposit = ConstU64<DEPOSIT>;
	type GovernanceOrigin = EnsureRoot<u64>;
	type MaxCredentialDuration = ConstU64<MAX_DURATION>;
	type MaxExpiriesPerBlock = ConstU32<MAX_EXPIRIES>;
	type MaxNodesPerProvider = ConstU32<MAX_NODES>;
	type SessionValidators = MockValidators;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type Obligations = MockObligations;
	type WeightInfo = ();
}

/// The most session validators in tests.
pub const MAX_VALIDATORS: u32 = 8;

thread_local! {
	/// The session validators (current and queued), as pallet-session would report them.
	static VALIDATORS: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Test double for the session validators: answers what [`set_validators`] set (none unless
/// a test sets some).
pub struct MockValidators;

impl pallet_providers::SessionValidators<u64> for MockValidators {
	fn validators() -> Vec<u64> {
		VALIDATORS.with(|v| v.borrow().clone())
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn set_validators_for_benchmarks(validators: Vec<u64>) {
		set_validators(&validators);
	}
}

/// Make `validators` the session validators from now on.
pub fn set_validators(validators: &[u64]) {
	VALIDATORS.with(|v| *v.borrow_mut() = validators.to_vec());
}

thread_local! {
	/// Open obligations per account, as the claims pallet would report them (none unless a
	/// test sets some; each test runs in its own thread).
	static OPEN_OBLIGATIONS: RefCell<BTreeMap<u64, u32>> = const { RefCell::new(BTreeMap::new()) };
}

/// Test double for the claims pallet's [`OpenObligations`]: answers what
/// [`set_open_obligations`] set, 0 otherwise.
pub struct MockObligations;

impl OpenObligations<u64> for MockObligations {
	fn open_obligations(who: &u64) -> u32 {
		OPEN_OBLIGATIONS.with(|m| m.borrow().get(who).copied().unwrap_or(0))
	}
}

/// Make `who` have `n` open obligations (open claims) from now on.
pub fn set_open_obligations(who: u64, n: u32) {
	OPEN_OBLIGATIONS.with(|m| m.borrow_mut().insert(who, n));
}

/// The most nodes an organisation lists in tests.
pub const MAX_NODES: u32 = 3;

/// A hospital applying.
pub const HOSPITAL: u64 = 1;
/// An insurer applying.
pub const INSURER: u64 = 2;
/// An account with too little to pay the deposit.
pub const POOR: u64 = 3;
/// An organisation active since genesis.
pub const GENESIS_LAB: u64 = 4;
/// Other accounts.
pub const OTHER: u64 = 5;

/// Genesis: funded accounts, one lab active since genesis (credential valid until 500).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system");
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(HOSPITAL, 1_000),
			(INSURER, 1_000),
			(POOR, 50),
			(GENESIS_LAB, 1_000),
			(OTHER, 1_000),
		],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.expect("balances");
	pallet_providers::GenesisConfig::<Test> {
		providers: vec![(GENESIS_LAB, Roles::from(Role::Lab), H256::repeat_byte(4), 500)],
	}
	.assimilate_storage(&mut t)
	.expect("providers");
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// [`new_test_ext`] with a keystore, for the benchmarks (which sign node-ownership proofs).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let mut ext = new_test_ext();
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext
}
