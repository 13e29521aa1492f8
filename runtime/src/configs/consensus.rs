//! Aura (block authoring in round-robin slots) and GRANDPA (finality).

use crate::{Runtime, RuntimeEvent};
use frame_support::traits::{ConstBool, ConstU32, ConstU64};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;

/// The most validators the consortium can run. Aura and GRANDPA share the bound.
pub type MaxAuthorities = ConstU32<64>;

/// The fewest active validators governance may leave (pallet-validator-set `MinAuthorities`).
pub type MinActiveValidators = ConstU32<4>;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = MaxAuthorities;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

frame_support::parameter_types! {
	/// How long an equivocation report stays valid in the transaction pool: one day.
	pub const ReportLongevity: u64 = crate::DAYS as u64;
}

/// GRANDPA with equivocation reporting: a voter that signs two different votes in one round is
/// reported by the node that sees both (`GrandpaApi::submit_report_equivocation_unsigned_
/// extrinsic`, an unsigned transaction the pool validates), with a proof that the key belonged
/// to a validator of that session (`KeyOwnerProof`: a membership proof against pallet-session's
/// history). pallet-offences records the offence once and hands it to the validator set, which
/// takes the validator out and emits `OffenceReported` for governance
/// (pallets/validator-set, docs/security.md finding 5).
impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = ConstU32<0>;
	/// Reports are checked against the session of their authority set: keep the set-id to
	/// session mapping of the last 168 sets (a week of hourly sessions).
	type MaxSetIdSessionEntries = ConstU64<168>;
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem = pallet_grandpa::EquivocationReportSystem<
		Self,
		crate::Offences,
		crate::Historical,
		ReportLongevity,
	>;
}

/// The block author (the reporter of an equivocation found while authoring), from Aura's slot.
impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, crate::Aura>;
	type EventHandler = ();
}

/// Offences (GRANDPA equivocations) are recorded once per offender and time slot, then handed
/// to the validator set.
impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = crate::ValidatorSet;
}

/// Sessions and the governed validator set.
///
/// pallet-session rotates the Aura and GRANDPA authorities every `SessionLength` blocks (a
/// value in storage, set per chain at genesis and by governance), asking `validatorSet` for the
/// next set. Validators register their keys with `session.setKeys`, which holds
/// [`SessionKeyDeposit`].
pub mod sessions {
	use crate::{
		AccountId, Balance, Balances, BlockNumber, Providers, Runtime, RuntimeEvent, SessionKeys,
		ValidatorSet, DAYS, UNIT,
	};
	use frame_support::{parameter_types, traits::ConstU32};
	use sp_runtime::traits::{ConvertInto, OpaqueKeys};

	parameter_types! {
		/// What registering session keys holds: 10 HLTH.
		pub const SessionKeyDeposit: Balance = 10 * UNIT;
		/// The shortest session governance may set: 5 blocks (15 s at 3 s blocks).
		pub const MinSessionLength: BlockNumber = 5;
		/// The longest session governance may set: one week.
		pub const MaxSessionLength: BlockNumber = 7 * DAYS;
	}

	/// Sessions end every [`pallet_validator_set::SessionLength`] blocks (from storage).
	pub type Sessions =
		pallet_session::PeriodicSessions<pallet_validator_set::SessionLength<Runtime>, ConstU32<0>>;

	impl pallet_session::Config for Runtime {
		type RuntimeEvent = RuntimeEvent;
		type ValidatorId = AccountId;
		type ValidatorIdOf = ConvertInto;
		type ShouldEndSession = Sessions;
		type NextSessionRotation = Sessions;
		/// The validator set plans each session; the session history records it (a root per
		/// session, against which GRANDPA equivocation reports prove key ownership).
		type SessionManager =
			pallet_session::historical::NoteHistoricalRoot<Runtime, PrunedHistory>;
		type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
		type Keys = SessionKeys;
		/// No slashing or mid-session disabling in a permissioned consortium: a proven
		/// equivocation takes the validator out of the set at the next rotation, and
		/// governance decides about the organisation.
		type DisablingStrategy = ();
		type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
		type Currency = Balances;
		type KeyDeposit = SessionKeyDeposit;
	}

	/// A consortium validator is identified by its organisation's account alone: no stake, no
	/// exposure to record in the session history.
	pub struct NoFullIdentification;
	impl sp_runtime::traits::Convert<AccountId, Option<()>> for NoFullIdentification {
		fn convert(_: AccountId) -> Option<()> {
			Some(())
		}
	}

	/// Sessions of history kept (and so the oldest session an equivocation report can be
	/// about): 168, as GRANDPA's set-id mapping (`MaxSetIdSessionEntries`).
	pub const HISTORY_DEPTH: u32 = 168;

	/// The validator set as the session history's manager, pruning the history to the last
	/// [`HISTORY_DEPTH`] sessions at each rotation (one root per session; unpruned it would
	/// grow for ever).
	pub struct PrunedHistory;
	impl pallet_session::SessionManager<AccountId> for PrunedHistory {
		fn new_session(new_index: u32) -> Option<alloc::vec::Vec<AccountId>> {
			<ValidatorSet as pallet_session::SessionManager<AccountId>>::new_session(new_index)
		}
		fn new_session_genesis(new_index: u32) -> Option<alloc::vec::Vec<AccountId>> {
			<ValidatorSet as pallet_session::SessionManager<AccountId>>::new_session_genesis(
				new_index,
			)
		}
		fn end_session(end_index: u32) {
			<ValidatorSet as pallet_session::SessionManager<AccountId>>::end_session(end_index)
		}
		fn start_session(start_index: u32) {
			<ValidatorSet as pallet_session::SessionManager<AccountId>>::start_session(start_index)
		}
	}
	impl pallet_session::historical::SessionManager<AccountId, ()> for PrunedHistory {
		fn new_session(new_index: u32) -> Option<alloc::vec::Vec<(AccountId, ())>> {
			if let Some(up_to) = new_index.checked_sub(HISTORY_DEPTH) {
				pallet_session::historical::Pallet::<Runtime>::prune_up_to(up_to);
			}
			<ValidatorSet as pallet_session::historical::SessionManager<AccountId, ()>>::new_session(
				new_index,
			)
		}
		fn new_session_genesis(new_index: u32) -> Option<alloc::vec::Vec<(AccountId, ())>> {
			<ValidatorSet as pallet_session::historical::SessionManager<AccountId, ()>>::new_session_genesis(new_index)
		}
		fn end_session(end_index: u32) {
			<ValidatorSet as pallet_session::historical::SessionManager<AccountId, ()>>::end_session(
				end_index,
			)
		}
		fn start_session(start_index: u32) {
			<ValidatorSet as pallet_session::historical::SessionManager<AccountId, ()>>::start_session(
				start_index,
			)
		}
	}

	impl pallet_session::historical::Config for Runtime {
		type RuntimeEvent = RuntimeEvent;
		type FullIdentification = ();
		type FullIdentificationOf = NoFullIdentification;
	}

	/// Session keys are registered when pallet-session holds the account's next keys.
	pub struct RegisteredSessionKeys;
	impl pallet_validator_set::SessionKeysRegistered<AccountId> for RegisteredSessionKeys {
		fn has_keys(who: &AccountId) -> bool {
			pallet_session::NextKeys::<Runtime>::contains_key(who)
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn set_keys_for_benchmarks(who: &AccountId) {
			use codec::{Decode, Encode};
			use sp_runtime::traits::TrailingZeroInput;
			// Keys derived from the account: unique per account, no keystore needed.
			let bytes = who.encode();
			if let Ok(keys) = SessionKeys::decode(&mut TrailingZeroInput::new(&bytes)) {
				pallet_session::NextKeys::<Runtime>::insert(who, keys);
			}
		}
	}

	impl pallet_validator_set::Config for Runtime {
		type RuntimeEvent = RuntimeEvent;
		type GovernanceOrigin = crate::configs::governance::GovernanceOrigin;
		type Providers = Providers;
		type SessionKeys = RegisteredSessionKeys;
		/// Governance cannot shrink the set below four active validators: GRANDPA finalizes
		/// with n - floor((n-1)/3) votes, so four is the smallest set that survives one faulty
		/// or offline validator (docs/security.md). Development (1) and local (3) chains start
		/// below it; it only stops removals and drops there.
		type MinAuthorities = super::MinActiveValidators;
		type MaxValidators = super::MaxAuthorities;
		type MinSessionLength = MinSessionLength;
		type MaxSessionLength = MaxSessionLength;
		type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	}
}
