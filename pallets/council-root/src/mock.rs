//! A minimal runtime for the council-root pallet's tests: system and the pallet; account 1 is
//! the "council" (the root origin's stand-in).

use crate as pallet_council_root;
use frame_support::{derive_impl, ord_parameter_types};
use frame_system::EnsureSignedBy;
use sp_runtime::BuildStorage;

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
	pub type CouncilRoot = pallet_council_root;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The account standing in for a passed council motion.
pub const COUNCIL: u64 = 1;
/// Anyone else.
pub const OTHER: u64 = 2;

ord_parameter_types! {
	pub const Council: u64 = COUNCIL;
}

impl pallet_council_root::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type RootOrigin = EnsureSignedBy<Council, u64>;
	type Forbidden = ForbidRemark;
	type WeightInfo = ();
}

/// The test's forbidden calls: `system.killStorage`.
pub struct ForbidRemark;

impl frame_support::traits::Contains<RuntimeCall> for ForbidRemark {
	fn contains(call: &RuntimeCall) -> bool {
		matches!(call, RuntimeCall::System(frame_system::Call::kill_storage { .. }))
	}
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system");
	let mut ext = sp_io::TestExternalities::new(t);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
