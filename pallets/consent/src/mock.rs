//! A minimal runtime for the consent pallet's tests, with doubles of the provider registry
//! and the record registry whose contents each test sets. Governance is root.

use crate as pallet_consent;
use core::cell::RefCell;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64, Hooks},
	weights::Weight,
};
use frame_system::EnsureRoot;
use healthchain_primitives::{
	ProviderDiscipline, ProviderRegistry, RecordId, RecordInfo, RecordRegistry, Role, Roles, Scope,
};
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
	pub type Consent = pallet_consent;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

thread_local! {
	static PROVIDERS: RefCell<BTreeMap<u64, Roles>> = const { RefCell::new(BTreeMap::new()) };
	static RECORDS: RefCell<BTreeMap<RecordId, RecordInfo<u64>>> =
		const { RefCell::new(BTreeMap::new()) };
}

/// The test double of the providers pallet: active organisations and their roles.
pub struct MockProviders;

impl MockProviders {
	/// Make `who` an active organisation with `roles`.
	pub fn set(who: u64, roles: &[Role]) {
		PROVIDERS.with(|p| p.borrow_mut().insert(who, Roles::from_items(roles)));
	}
	/// Make `who` inactive.
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

/// The test double of the records pallet: anchored records and their subjects.
pub struct MockRecords;

impl MockRecords {
	/// Anchor `id` about `subject` by `author`, in the Clinical category.
	pub fn anchor(id: RecordId, subject: u64, author: u64) {
		RECORDS.with(|r| {
			r.borrow_mut().insert(
				id,
				RecordInfo { subject, author, scope: Scope::Clinical, retracted: false },
			)
		});
	}

	/// Put record `id` in category `scope`.
	pub fn set_scope(id: RecordId, scope: Scope) {
		RECORDS.with(|r| {
			if let Some(info) = r.borrow_mut().get_mut(&id) {
				info.scope = scope;
			}
		});
	}

	/// Retract record `id`.
	pub fn retract(id: RecordId) {
		RECORDS.with(|r| {
			if let Some(info) = r.borrow_mut().get_mut(&id) {
				info.retracted = true;
			}
		});
	}
}

impl RecordRegistry<u64> for MockRecords {
	fn record_info(id: &RecordId) -> Option<RecordInfo<u64>> {
		RECORDS.with(|r| r.borrow().get(id).cloned())
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn insert_for_benchmarks(id: &RecordId, info: RecordInfo<u64>) {
		RECORDS.with(|r| r.borrow_mut().insert(*id, info));
	}
}

thread_local! {
	static SUSPENDED: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// The test double of the providers pallet's discipline: suspending deactivates the provider
/// and is remembered.
pub struct MockDiscipline;

impl MockDiscipline {
	/// Providers suspended for cause so far.
	pub fn suspended() -> Vec<u64> {
		SUSPENDED.with(|s| s.borrow().clone())
	}
}

impl ProviderDiscipline<u64> for MockDiscipline {
	fn suspend_for_cause(who: &u64) -> bool {
		if MockProviders::active_roles(who).is_empty() {
			return false;
		}
		MockProviders::deactivate(*who);
		SUSPENDED.with(|s| s.borrow_mut().push(*who));
		true
	}
}

/// Break-glass rate-limit period in tests (blocks).
pub const BREAK_GLASS_PERIOD: u64 = 100;
/// Most break-glass windows per provider per period in tests.
pub const MAX_BREAK_GLASS: u32 = 3;
/// Unjustified verdicts that suspend a provider in tests.
pub const UNJUSTIFIED_LIMIT: u32 = 2;

/// Longest grant in tests (blocks).
pub const MAX_GRANT: u64 = 1_000;
/// Break-glass window in tests (blocks).
pub const BREAK_GLASS: u64 = 10;
/// Most grants per patient in tests.
pub const MAX_GRANTS: u32 = 3;
/// Most guardians per patient in tests.
pub const MAX_GUARDIANS: u32 = 2;
/// Most entries per access batch in tests.
pub const MAX_BATCH: u32 = 8;
/// Fee-less calls per account per period in tests.
pub const FEELESS_QUOTA: u32 = 3;
/// The fee-less quota period in tests.
pub const FEELESS_PERIOD: u64 = 100;
/// Fee-less non-withdrawal calls per block in tests.
pub const MAX_FEELESS_PER_BLOCK: u32 = 4;
/// Fee-less withdrawals per block in tests.
pub const MAX_FEELESS_WITHDRAWALS: u32 = 2;
/// The longest payload lifetime in tests.
pub const MAX_PAYLOAD_LIFETIME: u64 = 50;

impl pallet_consent::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Providers = MockProviders;
	type Records = MockRecords;
	type GovernanceOrigin = EnsureRoot<u64>;
	type Discipline = MockDiscipline;
	type BreakGlassPeriod = ConstU64<BREAK_GLASS_PERIOD>;
	type MaxBreakGlassPerPeriod = ConstU32<MAX_BREAK_GLASS>;
	type UnjustifiedLimit = ConstU32<UNJUSTIFIED_LIMIT>;
	type MaxGrantDuration = ConstU64<MAX_GRANT>;
	type BreakGlassDuration = ConstU64<BREAK_GLASS>;
	type MaxGrantsPerPatient = ConstU32<MAX_GRANTS>;
	type MaxGuardians = ConstU32<MAX_GUARDIANS>;
	type MaxAccessBatch = ConstU32<MAX_BATCH>;
	type Signature = sp_runtime::testing::TestSignature;
	type FeelessQuota = ConstU32<FEELESS_QUOTA>;
	type FeelessPeriod = ConstU64<FEELESS_PERIOD>;
	type MaxFeelessPerBlock = ConstU32<MAX_FEELESS_PER_BLOCK>;
	type MaxFeelessWithdrawalsPerBlock = ConstU32<MAX_FEELESS_WITHDRAWALS>;
	type MaxPayloadLifetime = ConstU64<MAX_PAYLOAD_LIFETIME>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestSigner;
}

#[cfg(feature = "runtime-benchmarks")]
thread_local! {
	static NEXT_SIGNER: RefCell<u64> = const { RefCell::new(1_000) };
}

/// Test keys: account `n` "signs" `m` as `TestSignature(n, m)`.
#[cfg(feature = "runtime-benchmarks")]
pub struct TestSigner;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_consent::BenchmarkHelper<u64, sp_runtime::testing::TestSignature> for TestSigner {
	fn signer() -> u64 {
		NEXT_SIGNER.with(|n| {
			let mut n = n.borrow_mut();
			*n += 1;
			*n
		})
	}
	fn sign(signer: &u64, message: &[u8]) -> sp_runtime::testing::TestSignature {
		sp_runtime::testing::TestSignature(*signer, message.to_vec())
	}
}

/// A hospital with the Emergency role.
pub const ER_HOSPITAL: u64 = 1;
/// A clinic (no Emergency role).
pub const CLINIC: u64 = 2;
/// An insurer.
pub const INSURER: u64 = 3;
/// A patient.
pub const PATIENT: u64 = 10;
/// Another patient.
pub const OTHER_PATIENT: u64 = 11;
/// A guardian (a parent).
pub const GUARDIAN: u64 = 20;
/// Another guardian.
pub const GUARDIAN2: u64 = 21;
/// An account that is nothing in particular.
pub const STRANGER: u64 = 99;

/// A record of `PATIENT` anchored by the clinic.
pub fn record(n: u8) -> RecordId {
	RecordId::repeat_byte(n)
}

/// Genesis: hospital (Hospital + Emergency), clinic and insurer active; records 1, 2 and 4 are
/// `PATIENT`'s, record 3 is `OTHER_PATIENT`'s, all Clinical; block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	PROVIDERS.with(|p| p.borrow_mut().clear());
	RECORDS.with(|r| r.borrow_mut().clear());
	SUSPENDED.with(|s| s.borrow_mut().clear());
	MockProviders::set(ER_HOSPITAL, &[Role::Hospital, Role::Emergency]);
	MockProviders::set(CLINIC, &[Role::Clinic]);
	MockProviders::set(INSURER, &[Role::Insurer]);
	MockRecords::anchor(record(1), PATIENT, CLINIC);
	MockRecords::anchor(record(2), PATIENT, ER_HOSPITAL);
	MockRecords::anchor(record(3), OTHER_PATIENT, CLINIC);
	MockRecords::anchor(record(4), PATIENT, CLINIC);
	let t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("genesis");
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Go to block `n`, running `on_idle` with `idle` weight at every block passed (as the
/// executive does at the end of each block).
pub fn run_to_block_with_idle(n: u64, idle: Weight) {
	while System::block_number() < n {
		let b = System::block_number();
		Consent::on_idle(b, idle);
		System::set_block_number(b + 1);
	}
}

/// Go to block `n` with plenty of idle weight.
pub fn run_to_block(n: u64) {
	run_to_block_with_idle(n, Weight::MAX);
}
