//! A minimal runtime for the validator-set pallet's tests: system and the pallet, governed by
//! root, with a provider registry and a session-keys registry the tests control.

use crate as pallet_validator_set;
use core::cell::RefCell;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use healthchain_primitives::{ProviderRegistry, Role, Roles};
use sp_runtime::BuildStorage;
use std::collections::BTreeSet;

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
	pub type ValidatorSet = pallet_validator_set;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

thread_local! {
	static ACTIVE: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
	static KEYS: RefCell<BTreeSet<u64>> = const { RefCell::new(BTreeSet::new()) };
}

/// The test provider registry: an account is active (as a hospital) while in `ACTIVE`.
pub struct MockProviders;
impl ProviderRegistry<u64> for MockProviders {
	fn active_roles(who: &u64) -> Roles {
		if ACTIVE.with(|a| a.borrow().contains(who)) {
			Roles::from(Role::Hospital)
		} else {
			Roles::empty()
		}
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn make_active_for_benchmarks(who: &u64, _roles: Roles) {
		set_active(*who, true);
	}
}

/// The test session-keys registry.
pub struct MockKeys;
impl crate::SessionKeysRegistered<u64> for MockKeys {
	fn has_keys(who: &u64) -> bool {
		KEYS.with(|k| k.borrow().contains(who))
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn set_keys_for_benchmarks(who: &u64) {
		set_keys(*who, true);
	}
}

/// Make `who` an active (or inactive) organisation.
pub fn set_active(who: u64, active: bool) {
	ACTIVE.with(|a| {
		if active {
			a.borrow_mut().insert(who);
		} else {
			a.borrow_mut().remove(&who);
		}
	});
}

/// Register (or purge) `who`'s session keys.
pub fn set_keys(who: u64, keys: bool) {
	KEYS.with(|k| {
		if keys {
			k.borrow_mut().insert(who);
		} else {
			k.borrow_mut().remove(&who);
		}
	});
}

/// The fewest validators in tests.
pub const MIN_AUTHORITIES: u32 = 2;
/// The most validators in tests.
pub const MAX_VALIDATORS: u32 = 5;
/// Session length bounds in tests.
pub const MIN_SESSION: u64 = 5;
pub const MAX_SESSION: u64 = 1_000;

impl pallet_validator_set::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type GovernanceOrigin = EnsureRoot<u64>;
	type Providers = MockProviders;
	type SessionKeys = MockKeys;
	type MinAuthorities = ConstU32<MIN_AUTHORITIES>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MinSessionLength = ConstU64<MIN_SESSION>;
	type MaxSessionLength = ConstU64<MAX_SESSION>;
	type WeightInfo = ();
}

/// Genesis validators (active organisations with keys).
pub const V1: u64 = 1;
pub const V2: u64 = 2;
pub const V3: u64 = 3;
/// An active organisation with keys, not a validator.
pub const CANDIDATE: u64 = 10;
/// An active organisation without session keys.
pub const NO_KEYS: u64 = 11;
/// An account that is no active organisation (but has keys).
pub const STRANGER: u64 = 12;

/// Genesis: V1..V3 validate, session length 10; CANDIDATE and NO_KEYS are active
/// organisations.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system");
	pallet_validator_set::GenesisConfig::<Test> {
		initial_validators: vec![V1, V2, V3],
		session_length: 10,
	}
	.assimilate_storage(&mut t)
	.expect("validator set");
	ACTIVE.with(|a| *a.borrow_mut() = [V1, V2, V3, CANDIDATE, NO_KEYS].into_iter().collect());
	KEYS.with(|k| *k.borrow_mut() = [V1, V2, V3, CANDIDATE, STRANGER].into_iter().collect());
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
