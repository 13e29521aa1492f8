//! Governance: the consortium council (pallet-collective) whose members are managed by
//! `councilMembership` (pallet-membership), and sudo — keyed only in the development and local
//! presets; the consortium template has no sudo key, so root is reachable only through a
//! council motion there.
//!
//! [`GovernanceOrigin`] — root **or** a 2/3 council motion — approves, suspends and revokes
//! providers, admits and removes validators, sets the session length and manages the council's
//! own membership. Root-only calls (`system.authorizeUpgrade`, `system.setCode`) are reached by
//! a 2/3 motion through `councilRoot.dispatchAsRoot`.

use super::RuntimeBlockWeights;
use crate::{
	AccountId, BlockNumber, Council, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, DAYS,
};
use frame_support::{parameter_types, traits::EitherOfDiverse, weights::Weight};
use frame_system::EnsureRoot;

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

/// The council's instance.
pub type CouncilCollective = pallet_collective::Instance1;

/// Root, or at least two thirds of the council.
pub type GovernanceOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>,
>;

parameter_types! {
	/// A council motion stays open for votes for up to three days.
	pub const CouncilMotionDuration: BlockNumber = 3 * DAYS;
	/// At most 100 motions open at once.
	pub const CouncilMaxProposals: u32 = 100;
	/// At most 100 council members (one per consortium member organisation).
	pub const CouncilMaxMembers: u32 = 100;
	/// A motion may dispatch at most half a block of weight.
	pub MaxProposalWeight: Weight = RuntimeBlockWeights::get().max_block.saturating_mul(1) / 2;
}

impl pallet_collective::Config<CouncilCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = CouncilMaxProposals;
	type MaxMembers = CouncilMaxMembers;
	/// Members who do not vote by the end are counted as voting like the prime member.
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// Membership changes go through `councilMembership`, not `council.setMembers`.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	/// No deposit for motions: only consortium members can propose.
	type Consideration = ();
}

/// A 2/3 council motion (without root) — the origin that may dispatch as root.
pub type CouncilTwoThirds =
	pallet_collective::EnsureProportionAtLeast<AccountId, CouncilCollective, 2, 3>;

impl pallet_council_root::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type RootOrigin = CouncilTwoThirds;
	type WeightInfo = pallet_council_root::weights::SubstrateWeight<Runtime>;
}

/// The council's membership instance.
pub type CouncilMembershipInstance = pallet_membership::Instance1;

impl pallet_membership::Config<CouncilMembershipInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = GovernanceOrigin;
	type RemoveOrigin = GovernanceOrigin;
	type SwapOrigin = GovernanceOrigin;
	type ResetOrigin = GovernanceOrigin;
	type PrimeOrigin = GovernanceOrigin;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = CouncilMaxMembers;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}
