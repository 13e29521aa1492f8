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
		/// The shortest session governance may set: 5 blocks (30 s).
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
		type SessionManager = ValidatorSet;
		type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
		type Keys = SessionKeys;
		/// No slashing or disabling in a permissioned consortium: misbehaving organisations
		/// are removed by governance.
		type DisablingStrategy = ();
		type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
		type Currency = Balances;
		type KeyDeposit = SessionKeyDeposit;
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
		type MinAuthorities = ConstU32<4>;
		type MaxValidators = super::MaxAuthorities;
		type MinSessionLength = MinSessionLength;
		type MaxSessionLength = MaxSessionLength;
		type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	}
}
