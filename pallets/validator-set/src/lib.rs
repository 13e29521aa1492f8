//! # Validator-set pallet
//!
//! Governed validator admission for the consortium chain. Governance (root or a 2/3 council
//! motion) admits a provider organisation as a validator with [`Pallet::add_validator`] and
//! removes it with [`Pallet::remove_validator`]. The pallet is pallet-session's
//! `SessionManager`: at each session rotation it plans the next validator set from the admitted
//! organisations.
//!
//! ## Rules
//!
//! - Only an **active provider organisation** (asked through
//!   [`healthchain_primitives::ProviderRegistry`]) whose **session keys are registered**
//!   (`session.setKeys`) can be admitted.
//! - An admitted organisation that is no longer active (suspended, revoked, credential lapsed)
//!   is **dropped** when the next session is planned (`ValidatorDropped`); admitting it again
//!   takes a new governance decision.
//! - The admitted set never shrinks below `MinAuthorities` **active** validators:
//!   `remove_validator` refuses (`TooFewValidators`) when fewer active organisations than that
//!   would remain (an inactive validator does not count: it is dropped at the next plan), and if dropping inactive organisations at a rotation would leave
//!   fewer than `MinAuthorities`, the planned set is left unchanged and `DropDeferred` is emitted
//!   (a halted chain helps nobody; governance must admit replacements first).
//! - Changes take effect with pallet-session's usual delay: a change made in session `n` is
//!   planned at the rotation into `n + 1` and the new set validates from session `n + 2`.
//! - A **proven offence** (a GRANDPA equivocation, reported on chain with a key-ownership proof
//!   against pallet-session's history and recorded by pallet-offences) takes the validator out
//!   of the admitted set as a governance removal would, under the same `MinAuthorities` rule,
//!   and emits `OffenceReported` for governance ([`Pallet`] implements `OnOffenceHandler`).
//!   The pallet is also the session history's `SessionManager` (with no full identification:
//!   there is no stake).
//!
//! ## Session length
//!
//! The session length in blocks is storage ([`SessionBlocks`]), set at genesis by each chain's
//! preset (short in development and local networks so a rotation can be watched, an hour in the
//! consortium template) and changed by governance with [`Pallet::set_session_length`]. The
//! runtime feeds it to `pallet_session::PeriodicSessions` through [`SessionLength`], so one
//! runtime serves every network.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

const LOG_TARGET: &str = "runtime::validator-set";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::ProviderRegistry;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the validator-set pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Who admits and removes validators and sets the session length: root or a council
		/// motion.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The provider registry: only active organisations may validate.
		type Providers: ProviderRegistry<Self::AccountId>;

		/// Whether an account has registered its session keys.
		type SessionKeys: SessionKeysRegistered<Self::AccountId>;

		/// The fewest validators the admitted set may have.
		#[pallet::constant]
		type MinAuthorities: Get<u32>;

		/// The most validators (the consensus pallets' `MaxAuthorities`).
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// The shortest session governance may set, in blocks.
		#[pallet::constant]
		type MinSessionLength: Get<BlockNumberFor<Self>>;

		/// The longest session governance may set, in blocks.
		#[pallet::constant]
		type MaxSessionLength: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls, from benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// The admitted validators, in the order they were admitted.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether the admitted set changed since the last session was planned.
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// The session length in blocks.
	#[pallet::storage]
	pub type SessionBlocks<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Events of the validator-set pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Governance admitted a validator; it validates from the session after next.
		ValidatorAdded { who: T::AccountId },
		/// Governance removed a validator; it stops from the session after next.
		ValidatorRemoved { who: T::AccountId },
		/// An admitted organisation was no longer active and was dropped from the set.
		ValidatorDropped { who: T::AccountId },
		/// Inactive organisations were not dropped because fewer than `MinAuthorities` would
		/// remain; the planned set is unchanged.
		DropDeferred { session: u32, inactive: u32 },
		/// The next validator set was planned.
		SessionPlanned { session: u32, validators: u32 },
		/// Governance set the session length.
		SessionLengthSet { blocks: BlockNumberFor<T> },
		/// A validator was proven to have misbehaved (a GRANDPA equivocation, reported with a
		/// key-ownership proof through pallet-offences) in `session`. `removed`: it left the
		/// admitted set and stops validating from the session after next; `false` when it was
		/// no longer admitted or when fewer than `MinAuthorities` active validators would
		/// remain (governance decides then).
		OffenceReported { who: T::AccountId, session: u32, removed: bool },
	}

	/// Errors of the validator-set pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The account is already an admitted validator.
		AlreadyValidator,
		/// The account is not an admitted validator.
		NotValidator,
		/// Only an active provider organisation can be admitted.
		NotActiveProvider,
		/// The account has not registered session keys (`session.setKeys`).
		NoSessionKeys,
		/// The set is full (`MaxValidators`).
		TooManyValidators,
		/// Removing the validator would leave fewer than `MinAuthorities`.
		TooFewValidators,
		/// The session length is outside `MinSessionLength..=MaxSessionLength`.
		SessionLengthOutOfRange,
	}

	/// The validators and session length at genesis.
	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The initial validators (they need session keys in the session pallet's genesis).
		pub initial_validators: Vec<T::AccountId>,
		/// The session length in blocks (default: `MinSessionLength`).
		pub session_length: BlockNumberFor<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self { initial_validators: Vec::new(), session_length: T::MinSessionLength::get() }
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut seen = Vec::new();
			for v in &self.initial_validators {
				assert!(!seen.contains(v), "duplicate initial validator");
				seen.push(v.clone());
			}
			let set: BoundedVec<_, T::MaxValidators> =
				seen.try_into().expect("more initial validators than MaxValidators");
			Validators::<T>::put(set);
			assert!(
				self.session_length >= T::MinSessionLength::get()
					&& self.session_length <= T::MaxSessionLength::get(),
				"genesis session length out of range"
			);
			SessionBlocks::<T>::put(self.session_length);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Admit `who` as a validator. It must be an active provider organisation with its
		/// session keys registered. It validates from the session after next.
		///
		/// Origin: governance.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator(T::MaxValidators::get()))]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut set = Validators::<T>::get();
			ensure!(!set.contains(&who), Error::<T>::AlreadyValidator);
			ensure!(T::Providers::is_active_any(&who), Error::<T>::NotActiveProvider);
			ensure!(T::SessionKeys::has_keys(&who), Error::<T>::NoSessionKeys);
			set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;
			Validators::<T>::put(set);
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { who });
			Ok(())
		}

		/// Remove `who` from the validators. It stops validating from the session after next.
		/// Refused if fewer than `MinAuthorities` would remain.
		///
		/// Origin: governance.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator(T::MaxValidators::get()))]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::take_out(&who)?;
			Self::deposit_event(Event::ValidatorRemoved { who });
			Ok(())
		}

		/// Set the session length in blocks (`MinSessionLength..=MaxSessionLength`). It
		/// applies from the next block: a session ends at every block number divisible by it.
		///
		/// Origin: governance.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_session_length())]
		pub fn set_session_length(
			origin: OriginFor<T>,
			blocks: BlockNumberFor<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			ensure!(
				blocks >= T::MinSessionLength::get() && blocks <= T::MaxSessionLength::get(),
				Error::<T>::SessionLengthOutOfRange
			);
			SessionBlocks::<T>::put(blocks);
			Self::deposit_event(Event::SessionLengthSet { blocks });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The admitted validators.
		pub fn validators() -> Vec<T::AccountId> {
			Validators::<T>::get().into_inner()
		}

		/// Take `who` out of the admitted set, unless fewer than `MinAuthorities` active
		/// validators would remain. Only validators whose organisation is active count: an
		/// inactive one will be dropped at the next plan and produces no blocks.
		fn take_out(who: &T::AccountId) -> DispatchResult {
			let mut set = Validators::<T>::get();
			let pos = set.iter().position(|v| v == who).ok_or(Error::<T>::NotValidator)?;
			let active_left =
				set.iter().filter(|v| *v != who && T::Providers::is_active_any(v)).count() as u32;
			ensure!(active_left >= T::MinAuthorities::get(), Error::<T>::TooFewValidators);
			set.remove(pos);
			Validators::<T>::put(set);
			SetChanged::<T>::put(true);
			Ok(())
		}

		/// Plan the validator set of `session`: drop admitted organisations that are no longer
		/// active (unless fewer than `MinAuthorities` would remain). Always returns the admitted
		/// set, changed or not: pallet-session keeps only validators with keys, so returning the
		/// set at every rotation brings back a validator that purged and set its keys again
		/// (returning `None` kept the previous queue, without it). `SessionPlanned` is emitted
		/// when the set changed. Bounded: reads at most `MaxValidators` registry entries.
		pub(crate) fn plan_session(session: u32) -> Option<Vec<T::AccountId>> {
			let set = Validators::<T>::get();
			let (active, inactive): (Vec<_>, Vec<_>) =
				set.iter().cloned().partition(T::Providers::is_active_any);
			let mut changed = SetChanged::<T>::take();
			if !inactive.is_empty() {
				if (active.len() as u32) >= T::MinAuthorities::get() && !active.is_empty() {
					for who in inactive {
						log::info!(target: LOG_TARGET, "dropping inactive validator {:?}", who);
						Self::deposit_event(Event::ValidatorDropped { who });
					}
					// `active` is a subset of a bounded set, so it fits.
					Validators::<T>::put(BoundedVec::truncate_from(active));
					changed = true;
				} else {
					Self::deposit_event(Event::DropDeferred {
						session,
						inactive: inactive.len() as u32,
					});
				}
			}
			let planned = Self::validators();
			if changed {
				Self::deposit_event(Event::SessionPlanned {
					session,
					validators: planned.len() as u32,
				});
			}
			Some(planned)
		}

		/// Invariants: no duplicate validators; the session length is within its bounds.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let set = Validators::<T>::get();
			for (i, v) in set.iter().enumerate() {
				ensure!(!set.iter().skip(i + 1).any(|w| w == v), "duplicate validator");
			}
			let blocks = SessionBlocks::<T>::get();
			ensure!(
				blocks >= T::MinSessionLength::get() && blocks <= T::MaxSessionLength::get(),
				"session length out of range"
			);
			Ok(())
		}
	}

	/// The session history (pallet-session's `historical`) records each planned set with an
	/// empty full identification: a consortium validator is identified by its organisation's
	/// account alone (no stake, no exposure).
	impl<T: Config> pallet_session::historical::SessionManager<T::AccountId, ()> for Pallet<T> {
		fn new_session(new_index: u32) -> Option<Vec<(T::AccountId, ())>> {
			Self::plan_session(new_index).map(|v| v.into_iter().map(|who| (who, ())).collect())
		}

		fn new_session_genesis(_new_index: u32) -> Option<Vec<(T::AccountId, ())>> {
			Some(Self::validators().into_iter().map(|who| (who, ())).collect())
		}

		fn end_session(_end_index: u32) {}

		fn start_session(_start_index: u32) {}
	}

	/// What a proven offence costs a validator (e.g. a GRANDPA equivocation, reported through
	/// pallet-offences): it leaves the admitted set (validating until the session after next,
	/// as a governance removal), unless fewer than `MinAuthorities` active validators would
	/// remain; either way `OffenceReported` records it for governance, which decides what
	/// happens to the organisation (there is no stake to slash). Slash fractions are ignored.
	impl<T: Config, FullId>
		sp_staking::offence::OnOffenceHandler<T::AccountId, (T::AccountId, FullId), Weight>
		for Pallet<T>
	{
		fn on_offence(
			offenders: &[sp_staking::offence::OffenceDetails<
				T::AccountId,
				(T::AccountId, FullId),
			>],
			_slash_fraction: &[sp_runtime::Perbill],
			session: sp_staking::SessionIndex,
		) -> Weight {
			let db = T::DbWeight::get();
			let mut weight = Weight::zero();
			for details in offenders {
				let who = details.offender.0.clone();
				let removed = Self::take_out(&who).is_ok();
				log::warn!(
					target: LOG_TARGET,
					"offence by validator {:?} in session {}: removed {}",
					who,
					session,
					removed
				);
				// The set, one registry read per admitted validator, and the writes.
				weight = weight
					.saturating_add(db.reads_writes(1 + u64::from(T::MaxValidators::get()), 3));
				Self::deposit_event(Event::OffenceReported { who, session, removed });
			}
			weight
		}
	}

	impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
		fn new_session(new_index: u32) -> Option<Vec<T::AccountId>> {
			Self::plan_session(new_index)
		}

		fn new_session_genesis(_new_index: u32) -> Option<Vec<T::AccountId>> {
			Some(Self::validators())
		}

		fn end_session(_end_index: u32) {}

		fn start_session(_start_index: u32) {}
	}
}
