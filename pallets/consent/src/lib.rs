//! # Consent pallet
//!
//! Patients decide who may see which of their data, for which purpose, until when — and the
//! chain keeps an audit trail proving that every logged access had consent at that block
//! (HIPAA 164.312(b) audit controls).
//!
//! ## Grants (the patient, or a guardian acting for the patient)
//!
//! - [`Pallet::grant`] / [`Pallet::revoke`]: a grant to one grantee covers a set of
//!   [`Scopes`] (Clinical, Labs, Imaging, Medications, MentalHealth, Genomics, Billing) and a
//!   set of [`Purposes`] (Treatment, Payment, Operations, Research). Grants **always expire**:
//!   a missing or too-far `expires_at` is capped at `MaxGrantDuration` from now. Granting again
//!   to the same grantee updates the grant in place. An optional `consent_digest` anchors the
//!   signed FHIR Consent document kept off-chain. A revocation takes effect in the same block.
//! - [`Pallet::add_guardian`] / [`Pallet::remove_guardian`]: at most `MaxGuardians` accounts
//!   (parents, legal representatives) may act for the patient with [`Pallet::grant_for`] and
//!   [`Pallet::revoke_for`]; events name who acted.
//!
//! ## Break-glass
//!
//! [`Pallet::break_glass`]: an active provider holding the Emergency role opens a time-boxed
//! window (`BreakGlassDuration`) on a patient's data for **treatment**, without a grant. It is
//! always logged (`BreakGlassOpened`, which the patient's wallet picks up; `BreakGlassClosed`
//! with its [`CloseCause`] when it ends) and reviewed by governance with
//! [`Pallet::review_break_glass`]; each provider's tally of opened / justified / unjustified
//! windows is public ([`BreakGlassTallies`]). Limits:
//! - at most `MaxBreakGlassPerPeriod` windows per provider per `BreakGlassPeriod` blocks;
//! - the patient, a guardian or governance can close a window at once
//!   ([`Pallet::close_break_glass`]);
//! - an `Unjustified` verdict closes the window if it is still open, and the provider's
//!   `UnjustifiedLimit`-th unjustified verdict suspends the organisation
//!   ([`healthchain_primitives::ProviderDiscipline`]) until governance reinstates it.
//!
//! ## The access audit trail
//!
//! [`Pallet::log_access`] (and [`Pallet::log_access_batch`] for gateways) by an active
//! provider succeeds only when a live grant from the patient covers **the record's own scope**
//! (fixed when it was anchored) and the purpose, or an open break-glass window covers a
//! treatment access, at that block; otherwise it fails with a named error and nothing is
//! logged. A retracted record is refused (`RecordRetracted`): after an erasure request the
//! record is not disclosed any more.
//!
//! **One rule decides every access**: [`Pallet::decide_access`] (and
//! [`Pallet::decide_record_access`] for a record) checks the accessor's provider status, the
//! record's scope, the grant or window and the purpose. The extrinsics, the `ConsentCheck` trait
//! other pallets ask, and the runtime API the node's `consent_*` RPCs and the gateways call all
//! use it, so they cannot disagree. A logged access is an extrinsic in a block plus an
//! `AccessLogged` event naming its basis (the consent, or the break-glass id); it writes no
//! storage, so the audit trail costs no state.
//!
//! ## Expiry with bounded work
//!
//! Every grant and break-glass window is queued under its expiry block ([`ExpiryQueue`]).
//! `on_idle` walks the queue from the last swept block up to the current one, removing expired
//! grants (`ConsentExpired`) and closing windows (`BreakGlassClosed`), and stops when the
//! block's spare weight is used: no unbounded loop, and access checks never depend on the
//! sweep (they compare `expires_at` with the current block).
//!
//! ## Privacy
//!
//! No names, dates of birth, free text or diagnoses: accounts are pseudonymous, scopes and
//! purposes are bit sets, reasons are codes, the consent document is a salted digest.
//! See docs/consent.md.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::consent";

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{dispatch::PostDispatchInfo, pallet_prelude::*, weights::WeightMeter};
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{
		ConsentCheck, Digest, ProviderDiscipline, ProviderRegistry, Purpose, Purposes, RecordId,
		RecordInfo, RecordRegistry, Role, Scope, Scopes,
	};
	use sp_runtime::traits::{IdentifyAccount, One, SaturatedConversion, Saturating, Verify, Zero};

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the consent pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Who is an active provider organisation, and in which roles.
		type Providers: ProviderRegistry<Self::AccountId>;

		/// Which records exist and whom they are about.
		type Records: RecordRegistry<Self::AccountId>;

		/// Who reviews break-glass accesses (root or a 2/3 council motion in the runtime).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Suspends a provider whose break-glass use was found unjustified too often.
		type Discipline: ProviderDiscipline<Self::AccountId>;

		/// The length of a break-glass rate-limit period.
		#[pallet::constant]
		type BreakGlassPeriod: Get<BlockNumberFor<Self>>;

		/// The most break-glass windows one provider may open per `BreakGlassPeriod`.
		#[pallet::constant]
		type MaxBreakGlassPerPeriod: Get<u32>;

		/// The number of `Unjustified` verdicts at which a provider is suspended.
		#[pallet::constant]
		type UnjustifiedLimit: Get<u32>;

		/// The longest a grant may last; also the duration of a grant made without an expiry.
		#[pallet::constant]
		type MaxGrantDuration: Get<BlockNumberFor<Self>>;

		/// How long a break-glass window stays open.
		#[pallet::constant]
		type BreakGlassDuration: Get<BlockNumberFor<Self>>;

		/// The most grants one patient may have at once.
		#[pallet::constant]
		type MaxGrantsPerPatient: Get<u32>;

		/// The most guardians one patient may have.
		#[pallet::constant]
		type MaxGuardians: Get<u32>;

		/// The most accesses one `log_access_batch` may log.
		#[pallet::constant]
		type MaxAccessBatch: Get<u32>;

		/// The signature a patient's own key makes over a [`PatientPayload`] (the runtime's
		/// `MultiSignature`): it proves the patient's intent however the payload reaches the
		/// chain.
		type Signature: Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>> + Parameter;

		/// Fee-less patient calls (other than withdrawals) one account may make per
		/// `FeelessPeriod`.
		#[pallet::constant]
		type FeelessQuota: Get<u32>;

		/// The length of a fee-less quota period, in blocks.
		#[pallet::constant]
		type FeelessPeriod: Get<BlockNumberFor<Self>>;

		/// Fee-less patient calls (other than withdrawals) admitted per block: the most the
		/// fee-less path takes from a block whatever the flood.
		#[pallet::constant]
		type MaxFeelessPerBlock: Get<u32>;

		/// Fee-less withdrawals (revocations, guardian removals, closing break-glass windows)
		/// admitted per block, counted apart so a flood of grants never delays a revocation.
		#[pallet::constant]
		type MaxFeelessWithdrawalsPerBlock: Get<u32>;

		/// How far ahead of the current block a payload's `valid_until` may be.
		#[pallet::constant]
		type MaxPayloadLifetime: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls, from benchmarks.
		type WeightInfo: WeightInfo;

		/// Makes keys and signatures for the patient-call benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::Signature>;
	}

	/// Keys and signatures for the benchmarks of `patient_call`.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId, Signature> {
		/// A new account whose key [`Self::sign`] can sign with.
		fn signer() -> AccountId;
		/// `signer`'s signature of `message`.
		fn sign(signer: &AccountId, message: &[u8]) -> Signature;
	}

	/// Grants by (patient, grantee).
	#[pallet::storage]
	pub type Grants<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		Grant<T::AccountId, BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// How many grants each patient has (at most `MaxGrantsPerPatient`).
	#[pallet::storage]
	pub type GrantCount<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Each patient's guardians, sorted.
	#[pallet::storage]
	pub type Guardians<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<T::AccountId, T::MaxGuardians>,
		ValueQuery,
	>;

	/// Every break-glass access ever opened, by id (audit facts: never removed).
	#[pallet::storage]
	pub type BreakGlassAccesses<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BreakGlassId,
		BreakGlassAccess<T::AccountId, BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// The id the next break-glass access gets.
	#[pallet::storage]
	pub type NextBreakGlassId<T: Config> = StorageValue<_, BreakGlassId, ValueQuery>;

	/// Open break-glass windows by (patient, provider).
	#[pallet::storage]
	pub type OpenWindows<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		OpenWindow<BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// Per provider: break-glass windows opened, and how their reviews went.
	#[pallet::storage]
	pub type BreakGlassTallies<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BreakGlassTally, ValueQuery>;

	/// Each provider's break-glass use in the current rate-limit period.
	#[pallet::storage]
	pub type BreakGlassUsage<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BreakGlassUse<BlockNumberFor<T>>, ValueQuery>;

	/// Grants and break-glass windows by the block they expire at: (patient, other party,
	/// what). Swept by `on_idle`.
	#[pallet::storage]
	pub type ExpiryQueue<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Blake2_128Concat,
		(T::AccountId, T::AccountId, Expiring),
		(),
		OptionQuery,
	>;

	/// How many entries `ExpiryQueue` holds.
	#[pallet::storage]
	pub type QueuedExpiries<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Every `ExpiryQueue` entry at or below this block has been swept.
	#[pallet::storage]
	pub type SweptUpTo<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Events of the consent pallet.
	/// Each account's next patient-call nonce: a signed [`PatientPayload`] must carry it, and
	/// each included patient call uses it up (replay protection).
	#[pallet::storage]
	pub type PatientNonces<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Each account's fee-less use in its latest quota period.
	#[pallet::storage]
	pub type FeelessUsage<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, FeelessUse<BlockNumberFor<T>>, ValueQuery>;

	/// Fee-less patient calls included in the current block (the per-block caps).
	#[pallet::storage]
	pub type FeelessInBlock<T: Config> =
		StorageValue<_, FeelessBlock<BlockNumberFor<T>>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A patient's grant to `grantee` was created; `by` is the patient or a guardian.
		ConsentGranted {
			patient: T::AccountId,
			grantee: T::AccountId,
			scopes: Scopes,
			purposes: Purposes,
			expires_at: BlockNumberFor<T>,
			consent_digest: Option<Digest>,
			by: T::AccountId,
		},
		/// An existing grant was replaced in place (new scopes, purposes, expiry or digest).
		ConsentUpdated {
			patient: T::AccountId,
			grantee: T::AccountId,
			scopes: Scopes,
			purposes: Purposes,
			expires_at: BlockNumberFor<T>,
			consent_digest: Option<Digest>,
			by: T::AccountId,
		},
		/// A grant was revoked; `by` is the patient or a guardian.
		ConsentRevoked { patient: T::AccountId, grantee: T::AccountId, by: T::AccountId },
		/// An expired grant was removed by the sweep.
		ConsentExpired { patient: T::AccountId, grantee: T::AccountId },
		/// A patient added a guardian.
		GuardianAdded { patient: T::AccountId, guardian: T::AccountId },
		/// A patient removed a guardian.
		GuardianRemoved { patient: T::AccountId, guardian: T::AccountId },
		/// An emergency provider opened a break-glass window on a patient's data (treatment
		/// only) until `expires_at`.
		BreakGlassOpened {
			id: BreakGlassId,
			patient: T::AccountId,
			provider: T::AccountId,
			reason: BreakGlassReason,
			expires_at: BlockNumberFor<T>,
		},
		/// A break-glass window ended, for `cause`.
		BreakGlassClosed {
			id: BreakGlassId,
			patient: T::AccountId,
			provider: T::AccountId,
			cause: CloseCause,
		},
		/// Governance reviewed a break-glass access; `unjustified_total` is the provider's
		/// running count of unjustified ones; `suspended` when this verdict reached
		/// `UnjustifiedLimit` and the organisation was suspended.
		BreakGlassReviewed {
			id: BreakGlassId,
			provider: T::AccountId,
			verdict: Verdict,
			unjustified_total: u32,
			suspended: bool,
		},
		/// A provider accessed a patient's record, covered by `basis` at this block.
		AccessLogged {
			patient: T::AccountId,
			accessor: T::AccountId,
			record_id: RecordId,
			scope: Scope,
			purpose: Purpose,
			basis: AccessBasis,
		},
		/// A patient call signed by `signer` ran with `nonce`: fee-less when `relayer` is
		/// `None`, else submitted (and paid for) by `relayer`. `result` is the action's
		/// outcome (its own events say what changed); a failed action still uses the nonce
		/// and, fee-less, the quota.
		PatientCallExecuted {
			signer: T::AccountId,
			nonce: u32,
			relayer: Option<T::AccountId>,
			result: DispatchResult,
		},
		/// `discloser` (the custodian) released `record_id` of `patient` to `recipient` for
		/// `purpose`, having checked the access at block `checked_at`. `verdict` is the access
		/// rule for the recipient **at the recording block**: the basis, or why not (a consent
		/// revoked between the release and this block shows here). Recorded either way: a
		/// disclosure that happened is never dropped from the accounting of disclosures.
		RecordDisclosed {
			discloser: T::AccountId,
			recipient: T::AccountId,
			patient: T::AccountId,
			record_id: RecordId,
			scope: Scope,
			purpose: Purpose,
			checked_at: BlockNumberFor<T>,
			verdict: Result<AccessBasis, AccessDenial>,
		},
	}

	/// Errors of the consent pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not an active provider organisation.
		NotActiveProvider,
		/// The caller is not an active provider organisation holding the Emergency role.
		NotEmergencyProvider,
		/// The scope set is empty or has unknown bits.
		InvalidScopes,
		/// The purpose set is empty or has unknown bits.
		InvalidPurposes,
		/// A patient cannot grant to, guard, or break glass on themselves.
		CannotTargetSelf,
		/// `expires_at` is not after the current block.
		ExpiryInPast,
		/// The all-zero digest is not a digest of anything.
		InvalidDigest,
		/// The patient already has `MaxGrantsPerPatient` grants: revoke one first.
		TooManyGrants,
		/// The patient has no grant to this grantee.
		GrantNotFound,
		/// This account is already one of the patient's guardians.
		AlreadyGuardian,
		/// The caller (or the named account) is not one of the patient's guardians.
		NotGuardian,
		/// The patient already has `MaxGuardians` guardians.
		TooManyGuardians,
		/// This provider already has an open break-glass window on this patient.
		BreakGlassAlreadyOpen,
		/// No break-glass access with this id.
		UnknownBreakGlass,
		/// This break-glass access was already reviewed.
		AlreadyReviewed,
		/// Break-glass ids are exhausted (2^64 accesses).
		BreakGlassIdOverflow,
		/// No grant from the patient to the accessor, and no open break-glass window.
		ConsentMissing,
		/// The grant from the patient to the accessor has expired.
		ConsentExpired,
		/// The grant does not cover this scope.
		ScopeNotGranted,
		/// The grant does not cover this purpose.
		PurposeNotGranted,
		/// No record with this id is anchored.
		UnknownRecord,
		/// The record is about another patient.
		RecordNotOfPatient,
		/// `log_access_batch` needs at least one entry.
		EmptyBatch,
		/// Entry `index` of a `log_access_batch` was refused for `reason`; nothing was logged.
		BatchEntryDenied { index: u16, reason: AccessDenial },
		/// The record was retracted: it is no longer disclosed, and accesses to it are refused.
		RecordRetracted,
		/// The provider opened `MaxBreakGlassPerPeriod` windows this period already.
		BreakGlassRateLimited,
		/// This provider has no open break-glass window on this patient.
		NoOpenWindow,
		/// Only the patient, one of the patient's guardians or governance may do this.
		NotPatientOrGuardian,
		/// The signed payload's `valid_until` block has passed.
		PayloadExpired,
		/// The signed payload's `valid_until` is further ahead than `MaxPayloadLifetime`.
		PayloadLifetimeTooLong,
		/// The payload's signature is not the signer's.
		BadPayloadSignature,
		/// The payload's nonce was used already (a replay).
		PayloadNonceUsed,
		/// The payload's nonce is ahead of the signer's next nonce.
		PayloadNonceTooHigh,
		/// Entry `index` of a `record_disclosures` cannot be recorded for `fault`; nothing was
		/// recorded.
		InvalidDisclosure { index: u16, fault: DisclosureFault },
	}

	impl<T> From<AccessDenial> for Error<T> {
		fn from(d: AccessDenial) -> Self {
			match d {
				AccessDenial::ConsentMissing => Error::ConsentMissing,
				AccessDenial::ConsentExpired => Error::ConsentExpired,
				AccessDenial::ScopeNotGranted => Error::ScopeNotGranted,
				AccessDenial::PurposeNotGranted => Error::PurposeNotGranted,
				AccessDenial::UnknownRecord => Error::UnknownRecord,
				AccessDenial::RecordNotOfPatient => Error::RecordNotOfPatient,
				AccessDenial::NotActiveProvider => Error::NotActiveProvider,
				AccessDenial::RecordRetracted => Error::RecordRetracted,
			}
		}
	}

	#[pallet::extra_constants]
	impl<T: Config> Pallet<T> {
		/// The names of the `InvalidTransaction::Custom` codes a fee-less patient call may be
		/// refused with (clients read them from the metadata instead of keeping a table).
		#[pallet::constant_name(FeelessRefusals)]
		fn feeless_refusals() -> Vec<(u8, Vec<u8>)> {
			feeless_refusal::NAMES.iter().map(|(c, n)| (*c, n.as_bytes().to_vec())).collect()
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Sweep expired grants and break-glass windows with the block's spare weight.
		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let mut meter = WeightMeter::with_limit(remaining);
			Self::sweep_expired(now, &mut meter);
			meter.consumed()
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Grant `grantee` access to the caller's data in `scopes` for `purposes` until
		/// `expires_at` (exclusive; `None` or a block beyond `MaxGrantDuration` from now is
		/// capped at that maximum). A grant to the same grantee is replaced in place.
		/// `consent_digest` optionally anchors the signed FHIR Consent kept off-chain.
		///
		/// Emits `ConsentGranted` (new) or `ConsentUpdated` (replaced).
		#[pallet::call_index(0)]
		#[pallet::weight(Pallet::<T>::grant_weight(T::WeightInfo::grant()))]
		pub fn grant(
			origin: OriginFor<T>,
			grantee: T::AccountId,
			scopes: Scopes,
			purposes: Purposes,
			expires_at: Option<BlockNumberFor<T>>,
			consent_digest: Option<Digest>,
		) -> DispatchResultWithPostInfo {
			let patient = ensure_signed(origin)?;
			let evicted = Self::do_grant(
				patient.clone(),
				grantee,
				scopes,
				purposes,
				expires_at,
				consent_digest,
				patient,
			)?;
			Ok(Self::grant_post_info(T::WeightInfo::grant(), evicted))
		}

		/// Revoke the caller's grant to `grantee`, effective in this block. Emits
		/// `ConsentRevoked`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(origin: OriginFor<T>, grantee: T::AccountId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::do_revoke(patient.clone(), grantee, patient)
		}

		/// Let `guardian` grant and revoke for the caller. Emits `GuardianAdded`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::add_guardian())]
		pub fn add_guardian(origin: OriginFor<T>, guardian: T::AccountId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::do_add_guardian(patient, guardian)
		}

		/// Stop `guardian` acting for the caller (grants it made stay until revoked or
		/// expired). Emits `GuardianRemoved`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_guardian())]
		pub fn remove_guardian(origin: OriginFor<T>, guardian: T::AccountId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::do_remove_guardian(patient, guardian)
		}

		/// As a guardian of `patient`, grant `grantee` access (as [`Pallet::grant`]).
		/// Emits `ConsentGranted` or `ConsentUpdated` with `by` = the guardian.
		#[pallet::call_index(4)]
		#[pallet::weight(Pallet::<T>::grant_weight(T::WeightInfo::grant_for()))]
		pub fn grant_for(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
			scopes: Scopes,
			purposes: Purposes,
			expires_at: Option<BlockNumberFor<T>>,
			consent_digest: Option<Digest>,
		) -> DispatchResultWithPostInfo {
			let guardian = ensure_signed(origin)?;
			Self::ensure_guardian(&patient, &guardian)?;
			let evicted = Self::do_grant(
				patient,
				grantee,
				scopes,
				purposes,
				expires_at,
				consent_digest,
				guardian,
			)?;
			Ok(Self::grant_post_info(T::WeightInfo::grant_for(), evicted))
		}

		/// As a guardian of `patient`, revoke its grant to `grantee`. Emits `ConsentRevoked`
		/// with `by` = the guardian.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::revoke_for())]
		pub fn revoke_for(
			origin: OriginFor<T>,
			patient: T::AccountId,
			grantee: T::AccountId,
		) -> DispatchResult {
			let guardian = ensure_signed(origin)?;
			Self::ensure_guardian(&patient, &guardian)?;
			Self::do_revoke(patient, grantee, guardian)
		}

		/// Open a break-glass window on `patient`'s data for treatment, for
		/// `BreakGlassDuration` blocks, without a grant. Caller: an active provider with the
		/// Emergency role. Always logged; reviewed by governance. Emits `BreakGlassOpened`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::break_glass())]
		pub fn break_glass(
			origin: OriginFor<T>,
			patient: T::AccountId,
			reason: BreakGlassReason,
		) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			ensure!(
				T::Providers::is_active(&provider, Role::Emergency),
				Error::<T>::NotEmergencyProvider
			);
			ensure!(patient != provider, Error::<T>::CannotTargetSelf);
			let now = frame_system::Pallet::<T>::block_number();
			let previous = OpenWindows::<T>::get(&patient, &provider);
			if let Some(w) = &previous {
				ensure!(now >= w.expires_at, Error::<T>::BreakGlassAlreadyOpen);
			}
			let id = NextBreakGlassId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::BreakGlassIdOverflow)?;
			let expires_at = now.saturating_add(T::BreakGlassDuration::get());
			let usage = Self::break_glass_use(&provider, now);
			ensure!(
				usage.opened < T::MaxBreakGlassPerPeriod::get(),
				Error::<T>::BreakGlassRateLimited
			);

			// An expired window the sweep has not reached yet is closed (with its event) and
			// replaced.
			if let Some(w) = previous {
				Self::unschedule(w.expires_at, &patient, &provider, Expiring::BreakGlass);
				Self::deposit_event(Event::BreakGlassClosed {
					id: w.id,
					patient: patient.clone(),
					provider: provider.clone(),
					cause: CloseCause::Expired,
				});
			}
			BreakGlassUsage::<T>::insert(
				&provider,
				BreakGlassUse {
					period_start: usage.period_start,
					opened: usage.opened.saturating_add(1),
				},
			);
			NextBreakGlassId::<T>::put(next);
			BreakGlassAccesses::<T>::insert(
				id,
				BreakGlassAccess {
					patient: patient.clone(),
					provider: provider.clone(),
					reason,
					opened_at: now,
					expires_at,
					review: Review::Pending,
				},
			);
			OpenWindows::<T>::insert(&patient, &provider, OpenWindow { id, expires_at });
			Self::schedule(expires_at, &patient, &provider, Expiring::BreakGlass);
			BreakGlassTallies::<T>::mutate(&provider, |t| t.opened = t.opened.saturating_add(1));

			Self::deposit_event(Event::BreakGlassOpened {
				id,
				patient,
				provider,
				reason,
				expires_at,
			});
			Ok(())
		}

		/// Record governance's verdict on break-glass access `id` (once). Emits
		/// `BreakGlassReviewed`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::review_break_glass())]
		pub fn review_break_glass(
			origin: OriginFor<T>,
			id: BreakGlassId,
			verdict: Verdict,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut access =
				BreakGlassAccesses::<T>::get(id).ok_or(Error::<T>::UnknownBreakGlass)?;
			ensure!(access.review == Review::Pending, Error::<T>::AlreadyReviewed);

			access.review = verdict.into();
			let provider = access.provider.clone();
			let patient = access.patient.clone();
			BreakGlassAccesses::<T>::insert(id, access);
			let tally = BreakGlassTallies::<T>::mutate(&provider, |t| {
				match verdict {
					Verdict::Justified => t.justified = t.justified.saturating_add(1),
					Verdict::Unjustified => t.unjustified = t.unjustified.saturating_add(1),
				}
				*t
			});
			let mut suspended = false;
			if verdict == Verdict::Unjustified {
				// A window still open is closed at once.
				let now = frame_system::Pallet::<T>::block_number();
				if OpenWindows::<T>::get(&patient, &provider)
					.is_some_and(|w| w.id == id && now < w.expires_at)
				{
					Self::close_window(&patient, &provider, CloseCause::Unjustified);
				}
				// At the limit and at every unjustified verdict after it (a reinstated
				// provider that is found unjustified again is suspended again).
				if tally.unjustified >= T::UnjustifiedLimit::get() {
					suspended = T::Discipline::suspend_for_cause(&provider);
				}
			}

			Self::deposit_event(Event::BreakGlassReviewed {
				id,
				provider,
				verdict,
				unjustified_total: tally.unjustified,
				suspended,
			});
			Ok(())
		}

		/// Log that the caller (an active provider) accesses `record_id` of `patient` for
		/// `purpose`. The category checked is the record's own scope (fixed at anchoring).
		/// Succeeds only if a live grant covers that scope and purpose, or an open break-glass
		/// window covers a treatment access, at this block; otherwise fails with the reason
		/// (`NotActiveProvider`, `ConsentMissing`, `ConsentExpired`, `ScopeNotGranted`,
		/// `PurposeNotGranted`, `UnknownRecord`, `RecordNotOfPatient`, `RecordRetracted`).
		/// Emits `AccessLogged` with the record's scope.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::log_access())]
		pub fn log_access(
			origin: OriginFor<T>,
			patient: T::AccountId,
			record_id: RecordId,
			purpose: Purpose,
		) -> DispatchResult {
			let accessor = ensure_signed(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			let (scope, basis) =
				Self::check_logged_access(&patient, &accessor, &record_id, purpose, now)
					.map_err(Error::<T>::from)?;
			Self::deposit_event(Event::AccessLogged {
				patient,
				accessor,
				record_id,
				scope,
				purpose,
				basis,
			});
			Ok(())
		}

		/// Log many accesses by the caller (an active provider) at once: all or nothing. If
		/// any entry is not covered, nothing is logged and the call fails with
		/// `BatchEntryDenied { index, reason }` naming the first such entry. Emits one
		/// `AccessLogged` per entry.
		#[pallet::call_index(9)]
		// The benchmark covers entries allowed by a grant (2 reads each); an entry allowed by a
		// break-glass window reads its window too: one more read per entry, charged here.
		#[pallet::weight(T::WeightInfo::log_access_batch(entries.len() as u32)
			.saturating_add(T::DbWeight::get().reads(entries.len() as u64)))]
		pub fn log_access_batch(
			origin: OriginFor<T>,
			entries: BoundedVec<AccessEntry<T::AccountId>, T::MaxAccessBatch>,
		) -> DispatchResult {
			let accessor = ensure_signed(origin)?;
			ensure!(T::Providers::is_active_any(&accessor), Error::<T>::NotActiveProvider);
			ensure!(!entries.is_empty(), Error::<T>::EmptyBatch);
			let now = frame_system::Pallet::<T>::block_number();
			let mut bases = Vec::with_capacity(entries.len());
			for (i, e) in entries.iter().enumerate() {
				let basis =
					Self::check_logged_access(&e.patient, &accessor, &e.record_id, e.purpose, now)
						.map_err(|reason| Error::<T>::BatchEntryDenied {
							index: u16::try_from(i).unwrap_or(u16::MAX),
							reason,
						})?;
				bases.push(basis);
			}
			for (e, (scope, basis)) in entries.into_iter().zip(bases) {
				Self::deposit_event(Event::AccessLogged {
					patient: e.patient,
					accessor: accessor.clone(),
					record_id: e.record_id,
					scope,
					purpose: e.purpose,
					basis,
				});
			}
			Ok(())
		}

		/// Close the open break-glass window of `provider` on `patient` now. Caller: the
		/// patient, one of the patient's guardians, or governance. Emits `BreakGlassClosed`
		/// with the cause (`Patient`, `Guardian` or `Governance`); the access stays on record
		/// for review.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::close_break_glass_early())]
		pub fn close_break_glass(
			origin: OriginFor<T>,
			patient: T::AccountId,
			provider: T::AccountId,
		) -> DispatchResult {
			match T::GovernanceOrigin::try_origin(origin) {
				Ok(_) => Self::close_open_window(&patient, &provider, CloseCause::Governance),
				Err(origin) => {
					let who = ensure_signed(origin)?;
					Self::do_close_by_patient(who, patient, provider)
				}
			}
		}

		/// Run `payload.action` for `payload.signer`, whose own key signed it: **fee-less** as
		/// a general (unsigned) transaction admitted by [`Pallet::authorize_patient_call`]
		/// (the signer needs no balance and no account; quota per period and per-block caps
		/// apply, withdrawals never count against the quota), or **relayed** in a signed
		/// transaction by any account, which pays the fee (no quota).
		///
		/// Either way the signature, the expiry and the nonce are checked and the nonce is
		/// used up. The action's failure does not fail the call: it is reported in
		/// `PatientCallExecuted { result }` (so a failed fee-less call still costs the signer
		/// its nonce and quota).
		#[pallet::call_index(11)]
		#[pallet::weight(Pallet::<T>::patient_call_weight(&payload.action))]
		#[pallet::authorize(Pallet::<T>::authorize_patient_call)]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_patient_call())]
		pub fn patient_call(
			origin: OriginFor<T>,
			payload: PatientPayload<T::AccountId, BlockNumberFor<T>>,
			signature: T::Signature,
		) -> DispatchResultWithPostInfo {
			let relayer = match frame_system::ensure_authorized(origin.clone()) {
				Ok(()) => None,
				Err(_) => Some(ensure_signed(origin)?),
			};
			let now = frame_system::Pallet::<T>::block_number();
			Self::check_expiry(&payload, now).map_err(Error::<T>::from)?;
			let next = PatientNonces::<T>::get(&payload.signer);
			ensure!(payload.nonce >= next, Error::<T>::PayloadNonceUsed);
			ensure!(payload.nonce == next, Error::<T>::PayloadNonceTooHigh);
			if relayer.is_some() {
				// Fee-less calls had their signature checked by the authorization.
				ensure!(
					Self::signature_valid(&payload, &signature),
					Error::<T>::BadPayloadSignature
				);
			} else {
				Self::count_feeless(&payload, now);
			}
			PatientNonces::<T>::insert(&payload.signer, next.saturating_add(1));

			let PatientPayload { signer, nonce, action, .. } = payload;
			let charged = Self::patient_call_weight(&action);
			let mut action_weight = Weight::zero();
			let result = frame_support::storage::with_storage_layer(|| {
				let (result, weight) = Self::run_action(signer.clone(), action);
				action_weight = weight;
				result
			});
			Self::deposit_event(Event::PatientCallExecuted { signer, nonce, relayer, result });
			// A grant that evicted nothing gets the eviction search's weight back.
			let actual = Self::patient_call_weight_with(action_weight).min(charged);
			Ok(PostDispatchInfo { actual_weight: Some(actual), pays_fee: Pays::Yes })
		}

		/// Record disclosures the caller (an active provider, the custodian that released the
		/// records) made: HIPAA's accounting of disclosures is the disclosing entity's duty, so
		/// the custodian records them, not the recipient. Each entry names the recipient, the
		/// patient, the record, the declared purpose and the block at whose state the custodian
		/// checked the access. Every entry is recorded (`RecordDisclosed`, with the access
		/// rule's verdict for the recipient at this block) unless the entry itself is wrong:
		/// then nothing is recorded and the call fails with `InvalidDisclosure { index, fault }`
		/// (`UnknownRecord`, `RecordNotOfPatient`, `CheckedInFuture`, `RecipientIsDiscloser`).
		/// Writes no storage: the trace is the events.
		#[pallet::call_index(12)]
		// The benchmark covers recipients covered by a grant (3 reads each); a recipient
		// covered by a break-glass window reads its window too: one more read per entry.
		#[pallet::weight(T::WeightInfo::record_disclosures(entries.len() as u32)
			.saturating_add(T::DbWeight::get().reads(entries.len() as u64)))]
		pub fn record_disclosures(
			origin: OriginFor<T>,
			entries: BoundedVec<
				DisclosureEntry<T::AccountId, BlockNumberFor<T>>,
				T::MaxAccessBatch,
			>,
		) -> DispatchResult {
			let discloser = ensure_signed(origin)?;
			ensure!(T::Providers::is_active_any(&discloser), Error::<T>::NotActiveProvider);
			ensure!(!entries.is_empty(), Error::<T>::EmptyBatch);
			let now = frame_system::Pallet::<T>::block_number();
			let mut checked = Vec::with_capacity(entries.len());
			for (i, e) in entries.iter().enumerate() {
				let fault = |fault| Error::<T>::InvalidDisclosure {
					index: u16::try_from(i).unwrap_or(u16::MAX),
					fault,
				};
				ensure!(e.recipient != discloser, fault(DisclosureFault::RecipientIsDiscloser));
				ensure!(e.checked_at <= now, fault(DisclosureFault::CheckedInFuture));
				let record = T::Records::record_info(&e.record_id)
					.ok_or(fault(DisclosureFault::UnknownRecord))?;
				ensure!(record.subject == e.patient, fault(DisclosureFault::RecordNotOfPatient));
				let verdict = Self::decide_for_record(&e.recipient, &record, e.purpose, now)
					.map(|(_, basis)| basis);
				checked.push((record.scope, verdict));
			}
			for (e, (scope, verdict)) in entries.into_iter().zip(checked) {
				Self::deposit_event(Event::RecordDisclosed {
					discloser: discloser.clone(),
					recipient: e.recipient,
					patient: e.patient,
					record_id: e.record_id,
					scope,
					purpose: e.purpose,
					checked_at: e.checked_at,
					verdict,
				});
			}
			Ok(())
		}
	}

	/// Why a patient payload is not (or no longer) valid, for both paths.
	enum PayloadFault {
		Expired,
		LifetimeTooLong,
	}

	impl<T> From<PayloadFault> for Error<T> {
		fn from(f: PayloadFault) -> Self {
			match f {
				PayloadFault::Expired => Error::PayloadExpired,
				PayloadFault::LifetimeTooLong => Error::PayloadLifetimeTooLong,
			}
		}
	}

	impl From<PayloadFault> for TransactionValidityError {
		fn from(f: PayloadFault) -> Self {
			InvalidTransaction::Custom(match f {
				PayloadFault::Expired => feeless_refusal::PAYLOAD_EXPIRED,
				PayloadFault::LifetimeTooLong => feeless_refusal::PAYLOAD_LIFETIME_TOO_LONG,
			})
			.into()
		}
	}

	impl<T: Config> Pallet<T> {
		/// Admit a fee-less `patient_call` (a general transaction; the `AuthorizeCall`
		/// extension calls this in the pool and again when the block includes it):
		/// - the payload has not expired and its lifetime is bounded;
		/// - its nonce is the signer's next one (a later one waits in the pool for the
		///   earlier ones; a used one is `Stale`);
		/// - the signer's key signed it (`BadProof` otherwise);
		/// - a withdrawal withdraws something that exists (no free no-op calls); any other
		///   action is within the signer's quota for the period;
		/// - the block has room under the fee-less caps (`ExhaustsResources` otherwise: the
		///   block builder leaves the transaction in the pool for a later block).
		///
		/// Fee-less calls have the lowest priority (withdrawals just above other fee-less
		/// calls), so paid provider and insurer traffic is always ordered first.
		pub fn authorize_patient_call(
			source: TransactionSource,
			payload: &PatientPayload<T::AccountId, BlockNumberFor<T>>,
			signature: &T::Signature,
		) -> TransactionValidityWithRefund {
			let now = frame_system::Pallet::<T>::block_number();
			Self::check_expiry(payload, now)?;
			let next = PatientNonces::<T>::get(&payload.signer);
			if payload.nonce < next {
				return Err(InvalidTransaction::Stale.into());
			}
			if payload.nonce > next && source == TransactionSource::InBlock {
				return Err(InvalidTransaction::Future.into());
			}
			if !Self::signature_valid(payload, signature) {
				return Err(InvalidTransaction::BadProof.into());
			}
			let withdrawal = payload.action.is_withdrawal();
			if withdrawal {
				if !Self::withdraws_something(&payload.signer, &payload.action, now) {
					return Err(
						InvalidTransaction::Custom(feeless_refusal::NOTHING_TO_WITHDRAW).into()
					);
				}
			} else if Self::feeless_use(&payload.signer, now).used >= T::FeelessQuota::get() {
				return Err(InvalidTransaction::Custom(feeless_refusal::QUOTA_EXHAUSTED).into());
			}
			let in_block = Self::feeless_in_block(now);
			let full = if withdrawal {
				in_block.withdrawals >= T::MaxFeelessWithdrawalsPerBlock::get()
			} else {
				in_block.operations >= T::MaxFeelessPerBlock::get()
			};
			if full {
				return Err(InvalidTransaction::ExhaustsResources.into());
			}

			let mut validity = ValidTransaction::with_tag_prefix("ConsentPatientCall")
				.priority(if withdrawal { 1 } else { 0 })
				.longevity(
					payload
						.valid_until
						.saturating_sub(now)
						.saturated_into::<u64>()
						.saturating_add(1),
				)
				.and_provides((&payload.signer, payload.nonce));
			if payload.nonce > next {
				validity =
					validity.and_requires((&payload.signer, payload.nonce.saturating_sub(1)));
			}
			Ok((validity.build()?, Weight::zero()))
		}

		/// The weight charged for a patient call running `action`: the payload checks and
		/// bookkeeping (benchmarked with the cheapest action) plus the action's own weight.
		pub fn patient_call_weight(
			action: &PatientAction<T::AccountId, BlockNumberFor<T>>,
		) -> Weight {
			Self::patient_call_weight_with(Self::action_weight(action))
		}

		/// A patient call's weight around an action of `action_weight`. The overhead is
		/// benchmarked on the relayed path (the signature check); a fee-less call skips that
		/// but updates the signer's quota and the block's count instead.
		fn patient_call_weight_with(action_weight: Weight) -> Weight {
			T::WeightInfo::patient_call_overhead()
				.saturating_add(T::DbWeight::get().reads_writes(2, 2))
				.saturating_add(action_weight)
		}

		/// The weight charged before dispatch for `action` alone (a grant's includes the
		/// eviction search, refunded when nothing was evicted).
		fn action_weight(action: &PatientAction<T::AccountId, BlockNumberFor<T>>) -> Weight {
			match action {
				PatientAction::Grant { .. } => Self::grant_weight(T::WeightInfo::grant()),
				PatientAction::GrantFor { .. } => Self::grant_weight(T::WeightInfo::grant_for()),
				PatientAction::Revoke { .. } => T::WeightInfo::revoke(),
				PatientAction::RevokeFor { .. } => T::WeightInfo::revoke_for(),
				PatientAction::AddGuardian { .. } => T::WeightInfo::add_guardian(),
				PatientAction::RemoveGuardian { .. } => T::WeightInfo::remove_guardian(),
				PatientAction::CloseBreakGlass { .. } => T::WeightInfo::close_break_glass_early(),
			}
		}

		fn check_expiry(
			payload: &PatientPayload<T::AccountId, BlockNumberFor<T>>,
			now: BlockNumberFor<T>,
		) -> Result<(), PayloadFault> {
			if payload.valid_until < now {
				return Err(PayloadFault::Expired);
			}
			if payload.valid_until > now.saturating_add(T::MaxPayloadLifetime::get()) {
				return Err(PayloadFault::LifetimeTooLong);
			}
			Ok(())
		}

		/// Whether `signature` is `payload.signer`'s over the payload message, raw or wrapped
		/// in `<Bytes>`…`</Bytes>` (what browser wallets sign for `signRaw`).
		pub fn signature_valid(
			payload: &PatientPayload<T::AccountId, BlockNumberFor<T>>,
			signature: &T::Signature,
		) -> bool {
			let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			let message = patient_payload_message(genesis.as_ref(), payload);
			if signature.verify(&message[..], &payload.signer) {
				return true;
			}
			let mut wrapped = Vec::with_capacity(message.len().saturating_add(15));
			wrapped.extend_from_slice(b"<Bytes>");
			wrapped.extend_from_slice(&message);
			wrapped.extend_from_slice(b"</Bytes>");
			signature.verify(&wrapped[..], &payload.signer)
		}

		/// Whether the withdrawal `action` by `signer` would withdraw something at `now`.
		fn withdraws_something(
			signer: &T::AccountId,
			action: &PatientAction<T::AccountId, BlockNumberFor<T>>,
			now: BlockNumberFor<T>,
		) -> bool {
			match action {
				PatientAction::Revoke { grantee } => Grants::<T>::contains_key(signer, grantee),
				PatientAction::RemoveGuardian { guardian } => {
					Guardians::<T>::get(signer).binary_search(guardian).is_ok()
				}
				PatientAction::RevokeFor { patient, grantee } => {
					Self::ensure_guardian(patient, signer).is_ok()
						&& Grants::<T>::contains_key(patient, grantee)
				}
				PatientAction::CloseBreakGlass { patient, provider } => {
					(signer == patient || Self::ensure_guardian(patient, signer).is_ok())
						&& Self::window_open(patient, provider, now)
				}
				_ => false,
			}
		}

		/// The signer's fee-less use in the quota period containing `now`.
		pub fn feeless_use(
			who: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> FeelessUse<BlockNumberFor<T>> {
			let start = Self::period_start(now, T::FeelessPeriod::get());
			let usage = FeelessUsage::<T>::get(who);
			if usage.period_start == start {
				usage
			} else {
				FeelessUse { period_start: start, used: 0 }
			}
		}

		fn feeless_in_block(now: BlockNumberFor<T>) -> FeelessBlock<BlockNumberFor<T>> {
			let b = FeelessInBlock::<T>::get();
			if b.block == now {
				b
			} else {
				FeelessBlock { block: now, operations: 0, withdrawals: 0 }
			}
		}

		/// Count an included fee-less call against the block's caps and (unless a
		/// withdrawal) the signer's quota.
		fn count_feeless(
			payload: &PatientPayload<T::AccountId, BlockNumberFor<T>>,
			now: BlockNumberFor<T>,
		) {
			let mut in_block = Self::feeless_in_block(now);
			if payload.action.is_withdrawal() {
				in_block.withdrawals = in_block.withdrawals.saturating_add(1);
			} else {
				in_block.operations = in_block.operations.saturating_add(1);
				let mut usage = Self::feeless_use(&payload.signer, now);
				usage.used = usage.used.saturating_add(1);
				FeelessUsage::<T>::insert(&payload.signer, usage);
			}
			FeelessInBlock::<T>::put(in_block);
		}

		/// Run a patient action for `signer`, with the same rules as the matching call; returns
		/// its outcome and the weight it used (a grant's eviction search only when it ran).
		fn run_action(
			signer: T::AccountId,
			action: PatientAction<T::AccountId, BlockNumberFor<T>>,
		) -> (DispatchResult, Weight) {
			let granted = |base: Weight, r: Result<bool, DispatchError>| match r {
				Ok(false) => (Ok(()), base),
				Ok(true) => (Ok(()), Self::grant_weight(base)),
				Err(e) => (Err(e), Self::grant_weight(base)),
			};
			let weight = Self::action_weight(&action);
			let result = match action {
				PatientAction::Grant { grantee, scopes, purposes, expires_at, consent_digest } => {
					let r = Self::do_grant(
						signer.clone(),
						grantee,
						scopes,
						purposes,
						expires_at,
						consent_digest,
						signer,
					);
					return granted(T::WeightInfo::grant(), r);
				}
				PatientAction::Revoke { grantee } => {
					Self::do_revoke(signer.clone(), grantee, signer)
				}
				PatientAction::AddGuardian { guardian } => Self::do_add_guardian(signer, guardian),
				PatientAction::RemoveGuardian { guardian } => {
					Self::do_remove_guardian(signer, guardian)
				}
				PatientAction::GrantFor {
					patient,
					grantee,
					scopes,
					purposes,
					expires_at,
					consent_digest,
				} => {
					let r = Self::ensure_guardian(&patient, &signer).and_then(|()| {
						Self::do_grant(
							patient,
							grantee,
							scopes,
							purposes,
							expires_at,
							consent_digest,
							signer,
						)
					});
					return granted(T::WeightInfo::grant_for(), r);
				}
				PatientAction::RevokeFor { patient, grantee } => {
					Self::ensure_guardian(&patient, &signer)
						.and_then(|()| Self::do_revoke(patient, grantee, signer))
				}
				PatientAction::CloseBreakGlass { patient, provider } => {
					Self::do_close_by_patient(signer, patient, provider)
				}
			};
			(result, weight)
		}

		fn do_add_guardian(patient: T::AccountId, guardian: T::AccountId) -> DispatchResult {
			ensure!(patient != guardian, Error::<T>::CannotTargetSelf);
			let mut guardians = Guardians::<T>::get(&patient);
			let pos =
				guardians.binary_search(&guardian).err().ok_or(Error::<T>::AlreadyGuardian)?;
			guardians
				.try_insert(pos, guardian.clone())
				.map_err(|_| Error::<T>::TooManyGuardians)?;
			Guardians::<T>::insert(&patient, guardians);
			Self::deposit_event(Event::GuardianAdded { patient, guardian });
			Ok(())
		}

		fn do_remove_guardian(patient: T::AccountId, guardian: T::AccountId) -> DispatchResult {
			let mut guardians = Guardians::<T>::get(&patient);
			let pos = guardians.binary_search(&guardian).map_err(|_| Error::<T>::NotGuardian)?;
			guardians.remove(pos);
			if guardians.is_empty() {
				Guardians::<T>::remove(&patient);
			} else {
				Guardians::<T>::insert(&patient, guardians);
			}
			Self::deposit_event(Event::GuardianRemoved { patient, guardian });
			Ok(())
		}

		/// `who` (the patient or a guardian) closes `provider`'s open window on `patient`.
		fn do_close_by_patient(
			who: T::AccountId,
			patient: T::AccountId,
			provider: T::AccountId,
		) -> DispatchResult {
			let cause = if who == patient {
				CloseCause::Patient
			} else {
				Self::ensure_guardian(&patient, &who)
					.map_err(|_| Error::<T>::NotPatientOrGuardian)?;
				CloseCause::Guardian
			};
			Self::close_open_window(&patient, &provider, cause)
		}

		/// Whether `provider` has a window on `patient` still open at `now`.
		fn window_open(
			patient: &T::AccountId,
			provider: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> bool {
			OpenWindows::<T>::get(patient, provider).is_some_and(|w| now < w.expires_at)
		}

		fn close_open_window(
			patient: &T::AccountId,
			provider: &T::AccountId,
			cause: CloseCause,
		) -> DispatchResult {
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(Self::window_open(patient, provider, now), Error::<T>::NoOpenWindow);
			Self::close_window(patient, provider, cause);
			Ok(())
		}

		fn ensure_guardian(patient: &T::AccountId, guardian: &T::AccountId) -> DispatchResult {
			ensure!(
				Guardians::<T>::get(patient).binary_search(guardian).is_ok(),
				Error::<T>::NotGuardian
			);
			Ok(())
		}

		/// The weight a grant is charged before dispatch: its benchmarked weight plus, for a
		/// patient at `MaxGrantsPerPatient`, reading every grant to find an expired one and
		/// expiring it. Refunded by [`Self::grant_post_info`] when nothing was evicted.
		pub fn grant_weight(base: Weight) -> Weight {
			base.saturating_add(Self::eviction_weight())
		}

		fn eviction_weight() -> Weight {
			T::DbWeight::get()
				.reads(u64::from(T::MaxGrantsPerPatient::get()))
				.saturating_add(T::WeightInfo::expire_grant())
		}

		fn grant_post_info(base: Weight, evicted: bool) -> PostDispatchInfo {
			let actual = if evicted { Self::grant_weight(base) } else { base };
			PostDispatchInfo { actual_weight: Some(actual), pays_fee: Pays::Yes }
		}

		/// Grant or update; returns whether an expired grant was evicted to make room.
		fn do_grant(
			patient: T::AccountId,
			grantee: T::AccountId,
			scopes: Scopes,
			purposes: Purposes,
			expires_at: Option<BlockNumberFor<T>>,
			consent_digest: Option<Digest>,
			by: T::AccountId,
		) -> Result<bool, DispatchError> {
			ensure!(patient != grantee, Error::<T>::CannotTargetSelf);
			ensure!(scopes.is_valid() && !scopes.is_empty(), Error::<T>::InvalidScopes);
			ensure!(purposes.is_valid() && !purposes.is_empty(), Error::<T>::InvalidPurposes);
			if let Some(d) = &consent_digest {
				ensure!(!d.is_zero(), Error::<T>::InvalidDigest);
			}
			let now = frame_system::Pallet::<T>::block_number();
			let latest = now.saturating_add(T::MaxGrantDuration::get());
			let expires_at = match expires_at {
				None => latest,
				Some(e) => {
					ensure!(e > now, Error::<T>::ExpiryInPast);
					e.min(latest)
				}
			};
			let previous = Grants::<T>::get(&patient, &grantee);
			let mut count = GrantCount::<T>::get(&patient);
			let mut evicted = false;
			if previous.is_none() && count >= T::MaxGrantsPerPatient::get() {
				// Full: an expired grant the sweep has not reached yet makes room (it gives no
				// access any more); a patient with only live grants must revoke one.
				let expired = Grants::<T>::iter_prefix(&patient)
					.take(T::MaxGrantsPerPatient::get() as usize)
					.find(|(_, g)| !g.is_live(&now));
				let (old_grantee, old) = expired.ok_or(Error::<T>::TooManyGrants)?;
				Self::remove_grant(&patient, &old_grantee);
				Self::unschedule(old.expires_at, &patient, &old_grantee, Expiring::Grant);
				Self::deposit_event(Event::ConsentExpired {
					patient: patient.clone(),
					grantee: old_grantee,
				});
				count = GrantCount::<T>::get(&patient);
				evicted = true;
			}

			match &previous {
				Some(old) => Self::unschedule(old.expires_at, &patient, &grantee, Expiring::Grant),
				None => GrantCount::<T>::insert(&patient, count.saturating_add(1)),
			}
			Self::schedule(expires_at, &patient, &grantee, Expiring::Grant);
			Grants::<T>::insert(
				&patient,
				&grantee,
				Grant {
					scopes,
					purposes,
					granted_at: now,
					expires_at,
					granted_by: by.clone(),
					consent_digest,
				},
			);

			let event = if previous.is_some() {
				Event::ConsentUpdated {
					patient,
					grantee,
					scopes,
					purposes,
					expires_at,
					consent_digest,
					by,
				}
			} else {
				Event::ConsentGranted {
					patient,
					grantee,
					scopes,
					purposes,
					expires_at,
					consent_digest,
					by,
				}
			};
			Self::deposit_event(event);
			Ok(evicted)
		}

		/// The first block of the `period`-long period containing `now` (0 when `period` is 0).
		fn period_start(now: BlockNumberFor<T>, period: BlockNumberFor<T>) -> BlockNumberFor<T> {
			if period.is_zero() {
				Zero::zero()
			} else {
				now - now % period
			}
		}

		/// The provider's break-glass use in the period containing `now` (a new period starts
		/// from zero).
		fn break_glass_use(
			provider: &T::AccountId,
			now: BlockNumberFor<T>,
		) -> BreakGlassUse<BlockNumberFor<T>> {
			let start = Self::period_start(now, T::BreakGlassPeriod::get());
			let usage = BreakGlassUsage::<T>::get(provider);
			if usage.period_start == start {
				usage
			} else {
				BreakGlassUse { period_start: start, opened: 0 }
			}
		}

		/// Close the window of (patient, provider) now, before its end: unqueue it, remove it,
		/// record the block it closed at as the access' `expires_at` (so the audit fact says
		/// how long the window really was open), emit `BreakGlassClosed` with `cause`.
		fn close_window(patient: &T::AccountId, provider: &T::AccountId, cause: CloseCause) {
			if let Some(w) = OpenWindows::<T>::take(patient, provider) {
				Self::unschedule(w.expires_at, patient, provider, Expiring::BreakGlass);
				let now = frame_system::Pallet::<T>::block_number();
				BreakGlassAccesses::<T>::mutate(w.id, |a| {
					if let Some(a) = a {
						a.expires_at = a.expires_at.min(now);
					}
				});
				Self::deposit_event(Event::BreakGlassClosed {
					id: w.id,
					patient: patient.clone(),
					provider: provider.clone(),
					cause,
				});
			}
		}

		fn do_revoke(
			patient: T::AccountId,
			grantee: T::AccountId,
			by: T::AccountId,
		) -> DispatchResult {
			let grant = Grants::<T>::get(&patient, &grantee).ok_or(Error::<T>::GrantNotFound)?;
			Self::remove_grant(&patient, &grantee);
			Self::unschedule(grant.expires_at, &patient, &grantee, Expiring::Grant);
			Self::deposit_event(Event::ConsentRevoked { patient, grantee, by });
			Ok(())
		}

		fn remove_grant(patient: &T::AccountId, grantee: &T::AccountId) {
			Grants::<T>::remove(patient, grantee);
			let count = GrantCount::<T>::get(patient).saturating_sub(1);
			if count == 0 {
				GrantCount::<T>::remove(patient);
			} else {
				GrantCount::<T>::insert(patient, count);
			}
		}

		fn schedule(at: BlockNumberFor<T>, a: &T::AccountId, b: &T::AccountId, what: Expiring) {
			ExpiryQueue::<T>::insert(at, (a.clone(), b.clone(), what), ());
			QueuedExpiries::<T>::mutate(|c| *c = c.saturating_add(1));
		}

		fn unschedule(at: BlockNumberFor<T>, a: &T::AccountId, b: &T::AccountId, what: Expiring) {
			if ExpiryQueue::<T>::take(at, (a.clone(), b.clone(), what)).is_some() {
				QueuedExpiries::<T>::mutate(|c| *c = c.saturating_sub(1));
			}
		}

		/// **The access rule**, for data of `patient` in `scope`: `accessor` must be an active
		/// provider organisation, and a live grant from the patient must cover `scope` and
		/// `purpose`, or an open break-glass window of the accessor (still an active Emergency
		/// provider) must cover a treatment access, at block `now`. Returns the basis, or why
		/// not. Every access check of the chain goes through this function.
		pub fn decide_access(
			patient: &T::AccountId,
			accessor: &T::AccountId,
			scope: Scope,
			purpose: Purpose,
			now: BlockNumberFor<T>,
		) -> Result<AccessBasis, AccessDenial> {
			let roles = T::Providers::active_roles(accessor);
			if roles.is_empty() {
				return Err(AccessDenial::NotActiveProvider);
			}
			let by_grant = match Grants::<T>::get(patient, accessor) {
				None => Err(AccessDenial::ConsentMissing),
				Some(g) if !g.is_live(&now) => Err(AccessDenial::ConsentExpired),
				Some(g) if !g.scopes.contains(scope) => Err(AccessDenial::ScopeNotGranted),
				Some(g) if !g.purposes.contains(purpose) => Err(AccessDenial::PurposeNotGranted),
				Some(_) => return Ok(AccessBasis::Consent),
			};
			if purpose == Purpose::Treatment && roles.contains(Role::Emergency) {
				if let Some(w) = OpenWindows::<T>::get(patient, accessor) {
					if now < w.expires_at {
						return Ok(AccessBasis::BreakGlass(w.id));
					}
				}
			}
			by_grant
		}

		/// [`Self::decide_access`] for record `record_id`: the record must exist and not be
		/// retracted, and the category checked is **the record's own scope**. Returns the
		/// record's subject, its scope and the basis.
		pub fn decide_record_access(
			accessor: &T::AccountId,
			record_id: &RecordId,
			purpose: Purpose,
			now: BlockNumberFor<T>,
		) -> Result<(T::AccountId, Scope, AccessBasis), AccessDenial> {
			let record = T::Records::record_info(record_id).ok_or(AccessDenial::UnknownRecord)?;
			let (scope, basis) = Self::decide_for_record(accessor, &record, purpose, now)?;
			Ok((record.subject, scope, basis))
		}

		/// [`Self::decide_access`] for a record already read: not retracted, its own scope.
		fn decide_for_record(
			accessor: &T::AccountId,
			record: &RecordInfo<T::AccountId>,
			purpose: Purpose,
			now: BlockNumberFor<T>,
		) -> Result<(Scope, AccessBasis), AccessDenial> {
			if record.retracted {
				return Err(AccessDenial::RecordRetracted);
			}
			let basis = Self::decide_access(&record.subject, accessor, record.scope, purpose, now)?;
			Ok((record.scope, basis))
		}

		/// [`Self::decide_access`] at the current block (the runtime API's `access_basis`).
		pub fn access_basis(
			patient: &T::AccountId,
			accessor: &T::AccountId,
			scope: Scope,
			purpose: Purpose,
		) -> Result<AccessBasis, AccessDenial> {
			let now = frame_system::Pallet::<T>::block_number();
			Self::decide_access(patient, accessor, scope, purpose, now)
		}

		/// [`Self::decide_record_access`] at the current block, for a logged access to a
		/// record the caller says is `patient`'s.
		fn check_logged_access(
			patient: &T::AccountId,
			accessor: &T::AccountId,
			record_id: &RecordId,
			purpose: Purpose,
			now: BlockNumberFor<T>,
		) -> Result<(Scope, AccessBasis), AccessDenial> {
			let record = T::Records::record_info(record_id).ok_or(AccessDenial::UnknownRecord)?;
			if &record.subject != patient {
				return Err(AccessDenial::RecordNotOfPatient);
			}
			// The record read once: checked for its subject, then by the access rule.
			Self::decide_for_record(accessor, &record, purpose, now)
		}

		/// Whether `grantee` may access `patient`'s data in `scope` for `purpose` now.
		pub fn has_access(
			patient: &T::AccountId,
			grantee: &T::AccountId,
			scope: Scope,
			purpose: Purpose,
		) -> bool {
			Self::access_basis(patient, grantee, scope, purpose).is_ok()
		}

		/// The patient's grants (at most `MaxGrantsPerPatient`), expired ones not yet swept
		/// included (their `expires_at` tells).
		pub fn grants_of(
			patient: &T::AccountId,
		) -> Vec<(T::AccountId, Grant<T::AccountId, BlockNumberFor<T>>)> {
			Grants::<T>::iter_prefix(patient).take(T::MaxGrantsPerPatient::get() as usize).collect()
		}

		/// Remove expired grants and close ended break-glass windows, from the block after
		/// `SweptUpTo` up to `now`, while `meter` has weight. Every step is paid for before it
		/// is taken: `sweep_blocks(0)` for the cursor, the slope of `sweep_blocks` per block
		/// (which covers looking up the block's first entry), and per entry the larger of
		/// `expire_grant` and `close_break_glass` (which covers looking up the next one). An
		/// entry is never dropped unprocessed; a block left half-done is resumed next time.
		pub fn sweep_expired(now: BlockNumberFor<T>, meter: &mut WeightMeter) {
			if meter.try_consume(T::WeightInfo::sweep_blocks(0)).is_err() {
				return;
			}
			let start = SweptUpTo::<T>::get();
			if start >= now {
				return;
			}
			if QueuedExpiries::<T>::get() == 0 {
				SweptUpTo::<T>::put(now);
				return;
			}
			let per_block =
				T::WeightInfo::sweep_blocks(1).saturating_sub(T::WeightInfo::sweep_blocks(0));
			let per_entry = T::WeightInfo::expire_grant().max(T::WeightInfo::close_break_glass());
			let mut swept = start;
			'blocks: while swept < now {
				if meter.try_consume(per_block).is_err() {
					break;
				}
				let block = swept.saturating_add(One::one());
				// A cursor: each lookup starts after the entry just removed, so it never walks
				// the entries already deleted in this block's overlay (restarting the prefix
				// after each deletion made k same-block expiries cost ~k^2/2 key lookups).
				let mut cursor: Option<Vec<u8>> = None;
				while let Some(key) = Self::next_expiring(block, cursor.take()) {
					if meter.try_consume(per_entry).is_err() {
						break 'blocks;
					}
					cursor = Some(ExpiryQueue::<T>::hashed_key_for(block, &key));
					Self::expire(block, key);
				}
				swept = block;
			}
			if swept != start {
				SweptUpTo::<T>::put(swept);
			}
		}

		/// The first `ExpiryQueue` entry of `block` after the raw storage key `after` (from
		/// the start of the block's entries when `None`), if any.
		pub(crate) fn next_expiring(
			block: BlockNumberFor<T>,
			after: Option<Vec<u8>>,
		) -> Option<(T::AccountId, T::AccountId, Expiring)> {
			match after {
				None => ExpiryQueue::<T>::iter_key_prefix(block).next(),
				Some(raw) => ExpiryQueue::<T>::iter_key_prefix_from(block, raw).next(),
			}
		}

		/// Remove `ExpiryQueue` entry `key` of block `at` and expire what it stands for (if
		/// it still expires at `at`).
		pub(crate) fn expire(
			at: BlockNumberFor<T>,
			(a, b, what): (T::AccountId, T::AccountId, Expiring),
		) {
			Self::unschedule(at, &a, &b, what);
			match what {
				Expiring::Grant => {
					if Grants::<T>::get(&a, &b).is_some_and(|g| g.expires_at == at) {
						Self::remove_grant(&a, &b);
						Self::deposit_event(Event::ConsentExpired { patient: a, grantee: b });
					}
				}
				Expiring::BreakGlass => {
					if let Some(w) = OpenWindows::<T>::get(&a, &b).filter(|w| w.expires_at == at) {
						OpenWindows::<T>::remove(&a, &b);
						Self::deposit_event(Event::BreakGlassClosed {
							id: w.id,
							patient: a,
							provider: b,
							cause: CloseCause::Expired,
						});
					}
				}
			}
		}

		/// Invariants: grant counts match the grants and stay within the bound; every grant
		/// and open window is queued under its expiry and every queue entry belongs to one;
		/// the queue counter matches; break-glass tallies match the accesses.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			let mut counts: BTreeMap<T::AccountId, u32> = BTreeMap::new();
			for (patient, grantee, grant) in Grants::<T>::iter() {
				ensure!(patient != grantee, "self grant");
				ensure!(grant.scopes.is_valid() && !grant.scopes.is_empty(), "bad scopes");
				ensure!(grant.purposes.is_valid() && !grant.purposes.is_empty(), "bad purposes");
				ensure!(
					ExpiryQueue::<T>::contains_key(
						grant.expires_at,
						(patient.clone(), grantee, Expiring::Grant)
					),
					"grant not queued under its expiry"
				);
				let c = counts.entry(patient).or_default();
				*c = c.saturating_add(1);
			}
			for (patient, count) in GrantCount::<T>::iter() {
				ensure!(counts.get(&patient) == Some(&count), "grant count mismatch");
				ensure!(count <= T::MaxGrantsPerPatient::get(), "grant count over the bound");
			}
			ensure!(
				counts.len() == GrantCount::<T>::iter().count(),
				"patient with grants but no count"
			);
			for (patient, provider, w) in OpenWindows::<T>::iter() {
				ensure!(
					ExpiryQueue::<T>::contains_key(
						w.expires_at,
						(patient.clone(), provider.clone(), Expiring::BreakGlass)
					),
					"window not queued under its expiry"
				);
				let access = BreakGlassAccesses::<T>::get(w.id).ok_or("window without access")?;
				ensure!(
					access.patient == patient && access.provider == provider,
					"window of another access"
				);
			}
			let mut queued: u32 = 0;
			for (at, (a, b, what), ()) in ExpiryQueue::<T>::iter() {
				queued = queued.saturating_add(1);
				match what {
					Expiring::Grant => ensure!(
						Grants::<T>::get(&a, &b).is_some_and(|g| g.expires_at == at),
						"queued grant missing"
					),
					Expiring::BreakGlass => ensure!(
						OpenWindows::<T>::get(&a, &b).is_some_and(|w| w.expires_at == at),
						"queued window missing"
					),
				}
			}
			ensure!(queued == QueuedExpiries::<T>::get(), "queue counter mismatch");
			let next = NextBreakGlassId::<T>::get();
			let mut tallies: BTreeMap<T::AccountId, BreakGlassTally> = BTreeMap::new();
			for (id, access) in BreakGlassAccesses::<T>::iter() {
				ensure!(id < next, "break-glass id not below NextBreakGlassId");
				let t = tallies.entry(access.provider).or_default();
				t.opened = t.opened.saturating_add(1);
				match access.review {
					Review::Justified => t.justified = t.justified.saturating_add(1),
					Review::Unjustified => t.unjustified = t.unjustified.saturating_add(1),
					Review::Pending => {}
				}
			}
			for (provider, tally) in BreakGlassTallies::<T>::iter() {
				ensure!(tallies.get(&provider) == Some(&tally), "break-glass tally mismatch");
			}
			for (_, guardians) in Guardians::<T>::iter() {
				ensure!(!guardians.is_empty(), "empty guardian list stored");
				ensure!(guardians.windows(2).all(|w| w[0] < w[1]), "guardians not sorted");
			}
			Ok(())
		}
	}

	impl<T: Config> ConsentCheck<T::AccountId> for Pallet<T> {
		fn has_access(
			patient: &T::AccountId,
			grantee: &T::AccountId,
			scope: Scope,
			purpose: Purpose,
		) -> bool {
			Pallet::<T>::has_access(patient, grantee, scope, purpose)
		}

		fn may_access_record(
			accessor: &T::AccountId,
			record_id: &RecordId,
			purpose: Purpose,
		) -> bool {
			let now = frame_system::Pallet::<T>::block_number();
			Pallet::<T>::decide_record_access(accessor, record_id, purpose, now).is_ok()
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn grant_for_benchmarks(
			patient: &T::AccountId,
			grantee: &T::AccountId,
			scope: Scope,
			purpose: Purpose,
		) {
			let _ = Self::do_grant(
				patient.clone(),
				grantee.clone(),
				Scopes::from(scope),
				Purposes::from(purpose),
				None,
				None,
				patient.clone(),
			);
		}
	}
}
