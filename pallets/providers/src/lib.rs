//! # Providers pallet
//!
//! The consortium's registry of provider organisations: hospitals, clinics, labs, pharmacies,
//! insurers and emergency services. An organisation registers itself with its roles and a
//! salted digest of its credential (licence, accreditation) with an expiry, placing a deposit
//! (a fungible hold). Governance (root or a council motion) approves or rejects it, and may
//! suspend, reinstate or revoke it. The organisation renews its credential before it lapses;
//! an expired credential makes it inactive at that block without anyone acting.
//!
//! Other pallets ask [`healthchain_primitives::ProviderRegistry`] (implemented by this pallet)
//! whether an account is an active organisation in a role.
//!
//! ## Lifecycle
//!
//! ```text
//! register ──▶ Pending ──approve──▶ Active ◀──reinstate── Suspended
//!                 │                   │  └──────suspend──────▲
//!               reject              revoke (also from Pending / Suspended)
//!                 ▼                   ▼
//!            (removed, deposit   Revoked ──deregister──▶ (removed, deposit released)
//!             released)
//! ```
//!
//! Any registered organisation may `deregister`, which releases its deposit. Expiry is exact:
//! [`Pallet::active_roles`] compares the credential's expiry with the current block. In
//! addition `on_initialize` emits `CredentialExpired` for the organisations whose credential
//! lapses at that block, reading one bounded bucket (`MaxExpiriesPerBlock`).
//!
//! ## Privacy
//!
//! Organisations are not patients: their accounts are public. Still, no names are stored;
//! the credential is a salted digest whose document the organisation shows off-chain.

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

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{Digest, ProviderRegistry, Roles};
	use sp_runtime::traits::{Saturating, Zero};

	/// The balance type of the deposit currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A registration as stored.
	pub type ProviderOf<T> = Provider<BalanceOf<T>, BlockNumberFor<T>>;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the providers pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency the registration deposit is held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The deposit an organisation places when it registers.
		#[pallet::constant]
		type RegistrationDeposit: Get<BalanceOf<Self>>;

		/// Who approves, rejects, suspends, reinstates and revokes organisations: root or a
		/// council motion.
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The longest a credential may be valid from the block it is registered or renewed.
		#[pallet::constant]
		type MaxCredentialDuration: Get<BlockNumberFor<Self>>;

		/// The most credentials that may lapse at one block (bounds `on_initialize`).
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;

		/// Weights of this pallet's calls, from benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The registration deposit of a provider organisation.
		#[codec(index = 0)]
		ProviderDeposit,
	}

	/// Registered organisations.
	#[pallet::storage]
	pub type Providers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ProviderOf<T>, OptionQuery>;

	/// The organisations whose credential lapses at a block.
	#[pallet::storage]
	pub type Expiries<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<T::AccountId, T::MaxExpiriesPerBlock>,
		ValueQuery,
	>;

	/// Events of the providers pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An organisation registered and awaits approval.
		Registered { who: T::AccountId, roles: Roles, credential_expires_at: BlockNumberFor<T> },
		/// Governance approved an organisation.
		Approved { who: T::AccountId },
		/// Governance rejected a pending organisation; its deposit was released.
		Rejected { who: T::AccountId },
		/// Governance suspended an organisation.
		Suspended { who: T::AccountId },
		/// Governance reinstated a suspended organisation.
		Reinstated { who: T::AccountId },
		/// Governance revoked an organisation.
		Revoked { who: T::AccountId },
		/// An organisation left the registry; its deposit was released.
		Deregistered { who: T::AccountId },
		/// An organisation renewed its credential.
		CredentialRenewed { who: T::AccountId, credential_expires_at: BlockNumberFor<T> },
		/// An organisation's credential lapsed: it is inactive until it renews.
		CredentialExpired { who: T::AccountId },
	}

	/// Errors of the providers pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// This account is already registered.
		AlreadyRegistered,
		/// This account is not registered.
		NotRegistered,
		/// The role set is empty or has bits that are no role.
		InvalidRoles,
		/// The credential expiry is not after the current block.
		CredentialExpiryInPast,
		/// The credential expiry is further than `MaxCredentialDuration` from now.
		CredentialExpiryTooFar,
		/// Too many credentials already lapse at that block; pick another expiry block.
		TooManyExpiriesAtBlock,
		/// The account cannot pay the registration deposit.
		InsufficientDeposit,
		/// Only a pending organisation can be approved or rejected.
		NotPending,
		/// Only an active organisation can be suspended.
		NotActive,
		/// Only a suspended organisation can be reinstated.
		NotSuspended,
		/// The organisation is already revoked.
		AlreadyRevoked,
		/// A revoked organisation cannot renew its credential.
		Revoked,
	}

	/// Organisations active from genesis (no deposit).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// `(account, roles, credential digest, credential expiry block)`.
		pub providers: Vec<(T::AccountId, Roles, Digest, BlockNumberFor<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (who, roles, digest, expires_at) in &self.providers {
				assert!(
					roles.is_valid() && !roles.is_empty(),
					"genesis provider with invalid roles"
				);
				assert!(!Providers::<T>::contains_key(who), "duplicate genesis provider");
				Providers::<T>::insert(
					who,
					Provider {
						roles: *roles,
						status: ProviderStatus::Active,
						credential_digest: *digest,
						credential_expires_at: *expires_at,
						deposit: Zero::zero(),
						registered_at: Zero::zero(),
					},
				);
				Expiries::<T>::try_mutate(expires_at, |v| v.try_push(who.clone()))
					.expect("genesis expiries fit MaxExpiriesPerBlock");
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let lapsing = Expiries::<T>::take(now);
			let n = lapsing.len() as u32;
			for who in lapsing {
				// Only organisations whose current credential lapses now (a renewal moved it).
				let lapses =
					Providers::<T>::get(&who).is_some_and(|p| p.credential_expires_at == now);
				if lapses {
					Self::deposit_event(Event::CredentialExpired { who });
				}
			}
			T::WeightInfo::on_initialize_expiries(n)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register the caller as a provider organisation with `roles`, a salted digest of its
		/// credential and the block the credential expires at. Holds `RegistrationDeposit`.
		/// The organisation is `Pending` until governance approves it. Emits `Registered`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			roles: Roles,
			credential_digest: Digest,
			credential_expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
			ensure!(roles.is_valid() && !roles.is_empty(), Error::<T>::InvalidRoles);
			Self::ensure_valid_expiry(credential_expires_at)?;
			ensure!(
				(Expiries::<T>::decode_len(credential_expires_at).unwrap_or(0) as u32)
					< T::MaxExpiriesPerBlock::get(),
				Error::<T>::TooManyExpiriesAtBlock
			);
			let deposit = T::RegistrationDeposit::get();
			T::Currency::hold(&HoldReason::ProviderDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientDeposit)?;

			Expiries::<T>::try_mutate(credential_expires_at, |v| v.try_push(who.clone()))
				.map_err(|_| Error::<T>::TooManyExpiriesAtBlock)?;
			Providers::<T>::insert(
				&who,
				Provider {
					roles,
					status: ProviderStatus::Pending,
					credential_digest,
					credential_expires_at,
					deposit,
					registered_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::Registered { who, roles, credential_expires_at });
			Ok(())
		}

		/// Approve a pending organisation (governance). Emits `Approved`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::approve())]
		pub fn approve(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::transition(
				&who,
				ProviderStatus::Pending,
				Error::<T>::NotPending,
				ProviderStatus::Active,
			)?;
			Self::deposit_event(Event::Approved { who });
			Ok(())
		}

		/// Reject a pending organisation (governance): it is removed and its deposit released.
		/// Emits `Rejected`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reject())]
		pub fn reject(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(provider.status == ProviderStatus::Pending, Error::<T>::NotPending);
			Self::remove(&who, &provider)?;
			Self::deposit_event(Event::Rejected { who });
			Ok(())
		}

		/// Suspend an active organisation (governance). Emits `Suspended`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::suspend())]
		pub fn suspend(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::transition(
				&who,
				ProviderStatus::Active,
				Error::<T>::NotActive,
				ProviderStatus::Suspended,
			)?;
			Self::deposit_event(Event::Suspended { who });
			Ok(())
		}

		/// Reinstate a suspended organisation (governance). Emits `Reinstated`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::reinstate())]
		pub fn reinstate(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Self::transition(
				&who,
				ProviderStatus::Suspended,
				Error::<T>::NotSuspended,
				ProviderStatus::Active,
			)?;
			Self::deposit_event(Event::Reinstated { who });
			Ok(())
		}

		/// Revoke an organisation for good (governance). It keeps its entry (and deposit) as
		/// `Revoked` until it deregisters. Emits `Revoked`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			Providers::<T>::try_mutate(&who, |p| -> DispatchResult {
				let p = p.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(p.status != ProviderStatus::Revoked, Error::<T>::AlreadyRevoked);
				p.status = ProviderStatus::Revoked;
				Ok(())
			})?;
			Self::deposit_event(Event::Revoked { who });
			Ok(())
		}

		/// Renew the caller's credential: a new digest and expiry. Not possible once revoked.
		/// Emits `CredentialRenewed`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::renew_credential())]
		pub fn renew_credential(
			origin: OriginFor<T>,
			credential_digest: Digest,
			credential_expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			ensure!(provider.status != ProviderStatus::Revoked, Error::<T>::Revoked);
			Self::ensure_valid_expiry(credential_expires_at)?;
			let old = provider.credential_expires_at;
			if old != credential_expires_at {
				Expiries::<T>::try_mutate(credential_expires_at, |v| v.try_push(who.clone()))
					.map_err(|_| Error::<T>::TooManyExpiriesAtBlock)?;
				Expiries::<T>::mutate(old, |v| v.retain(|a| a != &who));
			}
			provider.credential_digest = credential_digest;
			provider.credential_expires_at = credential_expires_at;
			Providers::<T>::insert(&who, provider);
			Self::deposit_event(Event::CredentialRenewed { who, credential_expires_at });
			Ok(())
		}

		/// Leave the registry: the entry is removed and the deposit released. Emits
		/// `Deregistered`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::deregister())]
		pub fn deregister(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let provider = Providers::<T>::get(&who).ok_or(Error::<T>::NotRegistered)?;
			Self::remove(&who, &provider)?;
			Self::deposit_event(Event::Deregistered { who });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The roles `who` may exercise at the current block.
		pub fn active_roles(who: &T::AccountId) -> Roles {
			let now = frame_system::Pallet::<T>::block_number();
			match Providers::<T>::get(who) {
				Some(p) if p.status == ProviderStatus::Active && now < p.credential_expires_at => {
					p.roles
				}
				_ => Roles::empty(),
			}
		}

		fn ensure_valid_expiry(expires_at: BlockNumberFor<T>) -> DispatchResult {
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(expires_at > now, Error::<T>::CredentialExpiryInPast);
			ensure!(
				expires_at <= now.saturating_add(T::MaxCredentialDuration::get()),
				Error::<T>::CredentialExpiryTooFar
			);
			Ok(())
		}

		fn transition(
			who: &T::AccountId,
			from: ProviderStatus,
			wrong_state: Error<T>,
			to: ProviderStatus,
		) -> DispatchResult {
			Providers::<T>::try_mutate(who, |p| -> DispatchResult {
				let p = p.as_mut().ok_or(Error::<T>::NotRegistered)?;
				ensure!(p.status == from, wrong_state);
				p.status = to;
				Ok(())
			})
		}

		fn remove(who: &T::AccountId, provider: &ProviderOf<T>) -> DispatchResult {
			T::Currency::release(
				&HoldReason::ProviderDeposit.into(),
				who,
				provider.deposit,
				Precision::BestEffort,
			)?;
			Expiries::<T>::mutate(provider.credential_expires_at, |v| v.retain(|a| a != who));
			Providers::<T>::remove(who);
			Ok(())
		}

		/// Invariants: every registered organisation has valid, non-empty roles and appears in
		/// the expiry bucket of its credential's expiry (unless that block has passed); every
		/// bucket entry is registered.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let now = frame_system::Pallet::<T>::block_number();
			for (who, p) in Providers::<T>::iter() {
				ensure!(p.roles.is_valid() && !p.roles.is_empty(), "provider with invalid roles");
				if p.credential_expires_at > now {
					ensure!(
						Expiries::<T>::get(p.credential_expires_at).contains(&who),
						"provider missing from its expiry bucket"
					);
				}
			}
			for (_, bucket) in Expiries::<T>::iter() {
				for who in bucket {
					ensure!(
						Providers::<T>::contains_key(&who),
						"expiry bucket holds unknown account"
					);
				}
			}
			Ok(())
		}
	}

	impl<T: Config> ProviderRegistry<T::AccountId> for Pallet<T> {
		fn active_roles(who: &T::AccountId) -> Roles {
			Pallet::<T>::active_roles(who)
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn make_active_for_benchmarks(who: &T::AccountId, roles: Roles) {
			let now = frame_system::Pallet::<T>::block_number();
			let expires_at = now.saturating_add(T::MaxCredentialDuration::get());
			let _ = Expiries::<T>::try_mutate(expires_at, |v| v.try_push(who.clone()));
			Providers::<T>::insert(
				who,
				Provider {
					roles,
					status: ProviderStatus::Active,
					credential_digest: Default::default(),
					credential_expires_at: expires_at,
					deposit: Zero::zero(),
					registered_at: now,
				},
			);
		}
	}
}
