//! A minimal runtime for the records pallet's tests, with a provider registry double whose
//! organisations and roles each test sets.

use crate as pallet_records;
use core::cell::RefCell;
use frame_support::{derive_impl, traits::ConstU32};
use healthchain_primitives::{ProviderRegistry, Role, Roles};
use sp_runtime::BuildStorage;
use std::collections::BTreeMap;

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
	pub type RecordsModule = pallet_records;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

thread_local! {
	static PROVIDERS: RefCell<BTreeMap<u64, Roles>> = const { RefCell::new(BTreeMap::new()) };
}

/// The test double of the providers pallet: a map of active organisations to their roles.
pub struct MockProviders;

impl MockProviders {
	/// Make `who` an active organisation with `roles` (replacing any previous roles).
	pub fn set(who: u64, roles: &[Role]) {
		PROVIDERS.with(|p| p.borrow_mut().insert(who, Roles::from_items(roles)));
	}
	/// Make `who` inactive (suspended, revoked or expired: the pallet cannot tell).
	pub fn deactivate(who: u64) {
		PROVIDERS.with(|p| p.borrow_mut().remove(&who));
	}
}

impl ProviderRegistry<u64> for MockProviders {
	fn active_roles(who: &u64) -> Roles {
		PROVIDERS.with(|p| p.borrow().get(who).copied().unwrap_or_default())
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn make_active_for_benchmarks(who: &u64, roles: Roles) {
		PROVIDERS.with(|p| p.borrow_mut().insert(*who, roles));
	}
}

/// Most versions per record in tests: small, so the bound is easy to reach.
pub const MAX_VERSIONS: u32 = 4;
/// Most leaves per batch in tests.
pub const MAX_BATCH_LEAVES: u32 = 1_000;
/// Most operations per `anchor_many` in tests.
pub const MAX_ANCHORS_PER_CALL: u32 = 8;

impl pallet_records::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Providers = MockProviders;
	type MaxVersions = ConstU32<MAX_VERSIONS>;
	type MaxBatchLeaves = ConstU32<MAX_BATCH_LEAVES>;
	type MaxAnchorsPerCall = ConstU32<MAX_ANCHORS_PER_CALL>;
	type GovernanceOrigin = frame_system::EnsureRoot<u64>;
	type WeightInfo = ();
}

/// A hospital.
pub const HOSPITAL: u64 = 1;
/// A laboratory.
pub const LAB: u64 = 2;
/// An organisation that is only an insurer.
pub const INSURER: u64 = 3;
/// A patient (any account).
pub const PATIENT: u64 = 10;
/// Another patient.
pub const OTHER_PATIENT: u64 = 11;
/// An account that is no organisation at all.
pub const STRANGER: u64 = 99;

/// Genesis: hospital, lab and insurer active; block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	PROVIDERS.with(|p| p.borrow_mut().clear());
	MockProviders::set(HOSPITAL, &[Role::Hospital, Role::Emergency]);
	MockProviders::set(LAB, &[Role::Lab]);
	MockProviders::set(INSURER, &[Role::Insurer]);
	let t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("genesis");
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
