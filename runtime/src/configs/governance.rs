//! Governance: the consortium council (pallet-collective) whose members are managed by
//! `councilMembership` (pallet-membership), and sudo — keyed only in the development preset;
//! the local and consortium presets have no sudo key, so root is reachable only through a
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
use frame_support::{
	parameter_types,
	traits::{Contains, EitherOfDiverse},
	weights::Weight,
};
use frame_system::{EnsureNever, EnsureRoot};

/// The fewest members the council may have: a 2/3 motion then needs at least two
/// organisations, and the council can never be emptied (which would leave governance to no
/// one).
pub const MIN_COUNCIL_MEMBERS: u32 = 3;

/// Council-membership changes that would leave fewer than [`MIN_COUNCIL_MEMBERS`]. Used as the
/// chain's `BaseCallFilter` complement (motions are filtered) and by `councilRoot`
/// (root by motion bypasses the base filter).
pub struct ShrinksCouncilTooFar;

impl Contains<RuntimeCall> for ShrinksCouncilTooFar {
	fn contains(call: &RuntimeCall) -> bool {
		let members = pallet_membership::Members::<Runtime, CouncilMembershipInstance>::decode_len()
			.unwrap_or(0) as u32;
		match call {
			RuntimeCall::CouncilMembership(pallet_membership::Call::remove_member { .. }) => {
				members <= MIN_COUNCIL_MEMBERS
			}
			RuntimeCall::CouncilMembership(pallet_membership::Call::reset_members {
				members: new,
			}) => (new.len() as u32) < MIN_COUNCIL_MEMBERS,
			RuntimeCall::Council(pallet_collective::Call::set_members { new_members, .. }) => {
				(new_members.len() as u32) < MIN_COUNCIL_MEMBERS
			}
			_ => false,
		}
	}
}

/// What the chain dispatches at all (`frame_system::Config::BaseCallFilter`): everything but a
/// council-membership change that would leave too small a council. (Root from sudo bypasses
/// the base filter: sudo exists only on development chains.)
pub struct BaseFilter;

impl Contains<RuntimeCall> for BaseFilter {
	fn contains(call: &RuntimeCall) -> bool {
		!ShrinksCouncilTooFar::contains(call)
	}
}

/// Calls a council motion may never dispatch as root through `councilRoot`: any `sudo` call
/// (`sudo.setKey` would hand root to one key for good; chains without a sudo key never get
/// one), and council-membership changes that leave too small a council.
pub struct ForbiddenAsRoot;

impl Contains<RuntimeCall> for ForbiddenAsRoot {
	fn contains(call: &RuntimeCall) -> bool {
		if forbidden_as_root(call, 0) {
			return true;
		}
		// Each membership change alone may pass the check above, but root bypasses the base
		// filter inside a batch, so judge them together, in the worst order: every removal
		// succeeds after the smallest `resetMembers` of the call. The council must keep its
		// minimum even then.
		let effect = membership_effect(call, 0);
		let members = pallet_membership::Members::<Runtime, CouncilMembershipInstance>::decode_len()
			.unwrap_or(0) as u32;
		let base = effect.smallest_reset.map_or(members, |r| r.min(members));
		effect.changes > 1 && base.saturating_sub(effect.removals) < MIN_COUNCIL_MEMBERS
	}
}

/// The calls nested directly in a call that dispatches others.
enum Nested<'a> {
	/// A batch: every call may run.
	All(&'a [RuntimeCall]),
	/// A wrapper (`as_derivative`, `dispatch_as*`, `with_weight`, `councilRoot`).
	One(&'a RuntimeCall),
	/// An `if_else`: one branch or the other runs.
	Either(&'a RuntimeCall, &'a RuntimeCall),
	/// A call that dispatches no other.
	Leaf,
}

/// What `call` dispatches: the one list of wrappers both guards below walk.
fn nested(call: &RuntimeCall) -> Nested<'_> {
	match call {
		RuntimeCall::Utility(
			pallet_utility::Call::batch { calls }
			| pallet_utility::Call::batch_all { calls }
			| pallet_utility::Call::force_batch { calls },
		) => Nested::All(calls),
		RuntimeCall::Utility(
			pallet_utility::Call::as_derivative { call, .. }
			| pallet_utility::Call::dispatch_as { call, .. }
			| pallet_utility::Call::dispatch_as_fallible { call, .. }
			| pallet_utility::Call::with_weight { call, .. },
		) => Nested::One(call),
		RuntimeCall::Utility(pallet_utility::Call::if_else { main, fallback }) => {
			Nested::Either(main, fallback)
		}
		RuntimeCall::CouncilRoot(pallet_council_root::Call::dispatch_as_root { call }) => {
			Nested::One(call)
		}
		_ => Nested::Leaf,
	}
}

/// What a call may do to the council's size: its `councilMembership.removeMember` calls, the
/// smallest `resetMembers` list among its calls, and how many such changes it holds (nested
/// ones included; of an `if_else`, the worse of both branches).
#[derive(Default, Clone, Copy)]
struct MembershipEffect {
	removals: u32,
	smallest_reset: Option<u32>,
	changes: u32,
}

impl MembershipEffect {
	fn and(self, o: Self) -> Self {
		Self {
			removals: self.removals.saturating_add(o.removals),
			smallest_reset: min_reset(self.smallest_reset, o.smallest_reset),
			changes: self.changes.saturating_add(o.changes),
		}
	}

	fn worse(self, o: Self) -> Self {
		Self {
			removals: self.removals.max(o.removals),
			smallest_reset: min_reset(self.smallest_reset, o.smallest_reset),
			changes: self.changes.max(o.changes),
		}
	}
}

fn min_reset(a: Option<u32>, b: Option<u32>) -> Option<u32> {
	match (a, b) {
		(Some(a), Some(b)) => Some(a.min(b)),
		(a, b) => a.or(b),
	}
}

fn membership_effect(call: &RuntimeCall, depth: u32) -> MembershipEffect {
	if depth > MAX_NESTING {
		return MembershipEffect::default();
	}
	let inner = |c: &RuntimeCall| membership_effect(c, depth.saturating_add(1));
	match nested(call) {
		Nested::All(calls) => {
			calls.iter().map(inner).fold(MembershipEffect::default(), MembershipEffect::and)
		}
		Nested::One(call) => inner(call),
		Nested::Either(main, fallback) => inner(main).worse(inner(fallback)),
		Nested::Leaf => match call {
			RuntimeCall::CouncilMembership(pallet_membership::Call::remove_member { .. }) => {
				MembershipEffect { removals: 1, smallest_reset: None, changes: 1 }
			}
			RuntimeCall::CouncilMembership(pallet_membership::Call::reset_members { members }) => {
				MembershipEffect {
					removals: 0,
					smallest_reset: Some(members.len() as u32),
					changes: 1,
				}
			}
			_ => MembershipEffect::default(),
		},
	}
}

/// How deep [`ForbiddenAsRoot`] looks into nested calls; anything deeper is refused.
const MAX_NESTING: u32 = 4;

/// Whether `call`, or any call nested in it (utility batches and wrappers, councilRoot), is
/// forbidden as root: root bypasses the base filter inside `utility`, so a forbidden call must
/// be caught wherever it is nested.
fn forbidden_as_root(call: &RuntimeCall, depth: u32) -> bool {
	if depth > MAX_NESTING {
		return true;
	}
	let inner = |c: &RuntimeCall| forbidden_as_root(c, depth.saturating_add(1));
	match nested(call) {
		Nested::All(calls) => calls.iter().any(inner),
		Nested::One(call) => inner(call),
		Nested::Either(main, fallback) => inner(main) || inner(fallback),
		Nested::Leaf => match call {
			RuntimeCall::Sudo(_) => true,
			// A prime's vote would count for every silent member.
			RuntimeCall::Council(pallet_collective::Call::set_members {
				prime: Some(_), ..
			}) => true,
			other => ShrinksCouncilTooFar::contains(other),
		},
	}
}

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
	/// Members who do not vote by the end count as voting like the prime member — and no
	/// prime can ever be set (`PrimeOrigin = EnsureNever` below), so abstentions count as nay:
	/// no single member's vote stands for the silent ones.
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
	type Forbidden = ForbiddenAsRoot;
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
	/// No prime member: with `PrimeDefaultVote` a prime's vote would count for every member
	/// who did not vote.
	type PrimeOrigin = EnsureNever<()>;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = CouncilMaxMembers;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}
