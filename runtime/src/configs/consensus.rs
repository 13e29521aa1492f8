//! Aura (block authoring in round-robin slots) and GRANDPA (finality).

use crate::{Runtime, RuntimeEvent};
use frame_support::traits::{ConstBool, ConstU32, ConstU64};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;

/// The most validators the consortium can run. Aura and GRANDPA share the bound.
pub type MaxAuthorities = ConstU32<64>;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = MaxAuthorities;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// Equivocation reporting needs a session history (key ownership proofs); it is wired
	// together with pallet-session in the governance issue.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}
