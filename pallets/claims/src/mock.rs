//! A minimal runtime for the claims pallet's tests: system, balances (escrow holds) and the
//! claims pallet, with doubles of the provider registry, the record registry and the consent
//! registry whose contents each test sets. Governance is root.

use crate as pallet_claims;
use core::cell::RefCell;
use frame_support::{
	derive_impl,
	traits::{ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use healthchain_primitives::{
	ConsentCheck, ProviderRegistry, Purpose, RecordId, RecordInfo, RecordRegistry, Role, Roles,
	Scope,
};
use sp_runtime::BuildStorage;
use std::collections::{BTreeMap, BTreeSet};

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
	pub type ClaimsModule = pallet_claims;
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

thread_local! {
	static PROVIDERS: RefCell<BTreeMap<u64, Roles>> = const { RefCell::new(BTreeMap::new()) };
	static RECORDS: RefCell<BTreeMap<RecordId, RecordInfo<u64>>> =
		const { RefCell::new(BTreeMap::new()) };
	static CONSENTS: RefCell<BTreeSet<(u64, u64, Scope, Purpose)>> =
		const { RefCell::new(BTreeSet::new()) };
}

/// The test double of the providers pallet.
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

/// The test double of the records pallet.
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
	/// Retract `id`.
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

/// Sets a mock record's scope.
pub struct RecordsScope;

impl RecordsScope {
	/// Put record `id` in category `scope`.
	pub fn set(id: RecordId, scope: Scope) {
		RECORDS.with(|r| {
			if let Some(info) = r.borrow_mut().get_mut(&id) {
				info.scope = scope;
			}
		});
	}
}

/// The test double of the consent pallet: a set of (patient, grantee, scope, purpose).
pub struct MockConsent;

impl MockConsent {
	/// `patient` lets `grantee` see `scope` for `purpose`.
	pub fn grant(patient: u64, grantee: u64, scope: Scope, purpose: Purpose) {
		CONSENTS.with(|c| c.borrow_mut().insert((patient, grantee, scope, purpose)));
	}
	/// `patient` revokes (or the grant expires).
	pub fn revoke(patient: u64, grantee: u64, scope: Scope, purpose: Purpose) {
		CONSENTS.with(|c| c.borrow_mut().remove(&(patient, grantee, scope, purpose)));
	}
}

impl ConsentCheck<u64> for MockConsent {
	fn has_access(patient: &u64, grantee: &u64, scope: Scope, purpose: Purpose) -> bool {
		CONSENTS.with(|c| c.borrow().contains(&(*patient, *grantee, scope, purpose)))
	}
	fn may_access_record(accessor: &u64, record_id: &RecordId, purpose: Purpose) -> bool {
		MockRecords::record_info(record_id).is_some_and(|r| {
			!r.retracted && Self::has_access(&r.subject, accessor, r.scope, purpose)
		})
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn grant_for_benchmarks(patient: &u64, grantee: &u64, scope: Scope, purpose: Purpose) {
		CONSENTS.with(|c| c.borrow_mut().insert((*patient, *grantee, scope, purpose)));
	}
}

/// The largest claim in tests.
pub const MAX_AMOUNT: u64 = 1_000_000;
/// Most records per claim in tests.
pub const MAX_RECORDS: u32 = 4;
/// Adjudication deadline in tests (blocks).
pub const DEADLINE: u64 = 20;
/// Dispute window in tests (blocks).
pub const WINDOW: u64 = 10;

impl pallet_claims::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Providers = MockProviders;
	type Records = MockRecords;
	type Consent = MockConsent;
	type GovernanceOrigin = EnsureRoot<u64>;
	type MaxRecordsPerClaim = ConstU32<MAX_RECORDS>;
	type MaxClaimAmount = ConstU64<MAX_AMOUNT>;
	type AdjudicationDeadline = ConstU64<DEADLINE>;
	type DisputeWindow = ConstU64<WINDOW>;
	type WeightInfo = ();
}

/// A hospital.
pub const HOSPITAL: u64 = 1;
/// Another care provider (a lab).
pub const LAB: u64 = 2;
/// An insurer with funds.
pub const INSURER: u64 = 3;
/// An insurer with almost no funds.
pub const POOR_INSURER: u64 = 4;
/// A patient.
pub const PATIENT: u64 = 10;
/// Another patient.
pub const OTHER_PATIENT: u64 = 11;
/// Nobody in particular.
pub const STRANGER: u64 = 99;

/// Funds at genesis.
pub const INSURER_FUNDS: u64 = 10_000;
/// What the poor insurer has.
pub const POOR_FUNDS: u64 = 50;
/// What the providers have.
pub const PROVIDER_FUNDS: u64 = 100;

/// Record `n` (1-3 are the hospital's about PATIENT; 4 the lab's about PATIENT; 5 the
/// hospital's about OTHER_PATIENT).
pub fn record(n: u8) -> RecordId {
	RecordId::repeat_byte(n)
}

/// Genesis: funded parties; hospital, lab and two insurers active; PATIENT consents to both
/// insurers seeing billing data for payment, and to the hospital and the lab treating them
/// (Clinical, the records' scope); block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	PROVIDERS.with(|p| p.borrow_mut().clear());
	RECORDS.with(|r| r.borrow_mut().clear());
	CONSENTS.with(|c| c.borrow_mut().clear());
	MockProviders::set(HOSPITAL, &[Role::Hospital]);
	MockProviders::set(LAB, &[Role::Lab]);
	MockProviders::set(INSURER, &[Role::Insurer]);
	MockProviders::set(POOR_INSURER, &[Role::Insurer]);
	for n in 1..=3 {
		MockRecords::anchor(record(n), PATIENT, HOSPITAL);
	}
	MockRecords::anchor(record(4), PATIENT, LAB);
	MockRecords::anchor(record(5), OTHER_PATIENT, HOSPITAL);
	MockConsent::grant(PATIENT, INSURER, Scope::Billing, Purpose::Payment);
	MockConsent::grant(PATIENT, POOR_INSURER, Scope::Billing, Purpose::Payment);
	MockConsent::grant(OTHER_PATIENT, INSURER, Scope::Billing, Purpose::Payment);
	// The care relationships: the patients consented to the providers treating them.
	MockConsent::grant(PATIENT, HOSPITAL, Scope::Clinical, Purpose::Treatment);
	MockConsent::grant(PATIENT, LAB, Scope::Clinical, Purpose::Treatment);
	MockConsent::grant(OTHER_PATIENT, HOSPITAL, Scope::Clinical, Purpose::Treatment);

	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system");
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(HOSPITAL, PROVIDER_FUNDS),
			(LAB, PROVIDER_FUNDS),
			(INSURER, INSURER_FUNDS),
			(POOR_INSURER, POOR_FUNDS),
			(STRANGER, PROVIDER_FUNDS),
		],
		..Default::default()
	}
	.assimilate_storage(&mut t)
	.expect("balances");
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
