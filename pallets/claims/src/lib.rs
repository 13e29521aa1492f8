//! # Claims pallet
//!
//! Billing claims between provider organisations and insurers, settled on chain with real
//! funds. The claim document (an HL7 FHIR `Claim`) stays off-chain; the chain keeps its salted
//! digest, the amount, the parties, the supporting record ids and the lifecycle.
//!
//! ## Lifecycle (see docs/claims.md for the diagram)
//!
//! - [`Pallet::submit`] by an active provider with a care role: the insurer must be an active
//!   Insurer; the patient must have granted the insurer **Billing** scope for the **Payment**
//!   purpose (asked through [`healthchain_primitives::ConsentCheck`]); every record must exist,
//!   be anchored by this provider, be about this patient and not be retracted, and may back at
//!   most one open claim to the same insurer; a digest seen before is `DuplicateClaim`.
//!   **A care relationship** must stand behind every cited record: the patient's live grant to
//!   the *submitting provider* covering the record's own scope for **Treatment**, or the
//!   provider's open break-glass window on the patient (`NoCareRelationship` otherwise). A
//!   provider the patient never consented to cannot bill the patient's insurer, even for
//!   records it anchored itself (see docs/claims.md).
//! - [`Pallet::adjudicate`] by the claim's insurer: `Approve`, `Partial(amount)` or
//!   `Deny(reason)`. The approved amount is **held in escrow** on the insurer's account
//!   (`HoldReason::ClaimEscrow`); an insurer without the funds gets `InsurerCannotPay` and
//!   nothing changes.
//! - [`Pallet::settle`] by anyone: the escrow is transferred on hold to the provider, exactly
//!   once. Settlement is a separate step so that escrow and payment are separately visible
//!   and anyone (the provider, the insurer, a keeper) can trigger it; funds can only ever go to
//!   the claim's provider.
//! - [`Pallet::dispute`] by the provider: after a denial or a partial approval, within
//!   `DisputeWindow` blocks of the decision (a partial escrow is paid out first); or after
//!   `AdjudicationDeadline` blocks without a decision (escalation).
//!   [`Pallet::resolve_dispute`] by governance awards up to the unpaid remainder, paid by the
//!   insurer. At the dispute the unpaid remainder (or as much of it as the insurer has) is
//!   **held as a bond** on the insurer (`HoldReason::DisputeBond`), so an award is paid from
//!   funds the insurer cannot move away while the council deliberates.
//! - [`Pallet::withdraw`] by the provider before adjudication.
//!
//! An insurer or provider with **open claims** (submitted, approved and unsettled, disputed;
//! or closed but still disputable) cannot deregister ([`healthchain_primitives::OpenObligations`]). The total
//! billed against each record across insurers is tracked ([`RecordBilled`]).
//!
//! Every transition emits an event; no state is a dead end (a denied or partly paid claim ends
//! when its dispute window closes; a disputed one always has `resolve_dispute`, with an award of
//! zero if need be); funds move only by hold, transfer-on-hold and transfer, so total issuance
//! never changes, and a claim is paid at most its claimed amount.
//!
//! The pallet is generic over the fungible traits (`Inspect`, `Mutate`, `MutateHold`), so a
//! runtime can settle in its native token today and in a stablecoin (pallet-assets behind
//! `ItemOf`) later.
//!
//! ## Privacy
//!
//! Amounts and parties are on chain (insurers settle publicly); the claim itself, diagnoses and
//! procedure codes are not. Reason codes are numbers.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

/// Log target of this pallet.
pub const LOG_TARGET: &str = "runtime::claims";

/// The most claim ids one `claims_of` query returns.
pub const MAX_PAGE: u32 = 100;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Preservation, Restriction},
		},
	};
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{
		ConsentCheck, Digest, OpenObligations, ProviderRegistry, Purpose, RecordId, RecordRegistry,
		Role, Roles, Scope,
	};
	use sp_runtime::traits::{Saturating, Zero};

	/// The balance type of the settlement currency.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A claim as stored.
	pub type ClaimOf<T> = Claim<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxRecordsPerClaim,
	>;

	/// A claim's status.
	pub type StatusOf<T> = ClaimStatus<BalanceOf<T>, BlockNumberFor<T>>;

	/// The in-code storage version: 2 added the open-claim counters, the dispute deadlines and
	/// the per-record billed totals (see [`crate::migrations`]).
	pub(crate) const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the claims pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The currency claims are settled in.
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Who is an active provider organisation, and in which roles.
		type Providers: ProviderRegistry<Self::AccountId>;

		/// Which records exist, whom they are about and who anchored them.
		type Records: RecordRegistry<Self::AccountId>;

		/// Whether the patient consented to the insurer seeing billing data for payment.
		type Consent: ConsentCheck<Self::AccountId>;

		/// Who resolves disputes (root or a 2/3 council motion in the runtime).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The most records one claim may cite.
		#[pallet::constant]
		type MaxRecordsPerClaim: Get<u32>;

		/// The largest amount one claim may ask for.
		#[pallet::constant]
		type MaxClaimAmount: Get<BalanceOf<Self>>;

		/// Blocks an insurer has to adjudicate before the provider may escalate to dispute.
		#[pallet::constant]
		type AdjudicationDeadline: Get<BlockNumberFor<Self>>;

		/// Blocks after a denial or partial approval during which the provider may dispute.
		#[pallet::constant]
		type DisputeWindow: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls, from benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An approved claim's amount, escrowed on the insurer's account until settlement.
		#[codec(index = 0)]
		ClaimEscrow,
		/// The unpaid remainder of a disputed claim, held on the insurer until governance
		/// resolves the dispute.
		#[codec(index = 1)]
		DisputeBond,
	}

	/// Claims by id.
	#[pallet::storage]
	pub type Claims<T: Config> = StorageMap<_, Twox64Concat, ClaimId, ClaimOf<T>, OptionQuery>;

	/// The id the next claim gets.
	#[pallet::storage]
	pub type NextClaimId<T: Config> = StorageValue<_, ClaimId, ValueQuery>;

	/// Which claim a digest was submitted as. A digest is accepted once, ever.
	#[pallet::storage]
	pub type ClaimByDigest<T: Config> = StorageMap<_, Identity, Digest, ClaimId, OptionQuery>;

	/// The claim a record backs towards an insurer: a record may back one claim per insurer
	/// (released when that claim is withdrawn).
	#[pallet::storage]
	pub type RecordClaims<T: Config> = StorageDoubleMap<
		_,
		Identity,
		RecordId,
		Blake2_128Concat,
		T::AccountId,
		ClaimId,
		OptionQuery,
	>;

	/// The claims each provider submitted and each insurer received (for listing).
	#[pallet::storage]
	pub type PartyClaims<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, ClaimId, (), OptionQuery>;

	/// Per party (the claim's provider and its insurer): claims still open (submitted, approved
	/// and unsettled, or disputed).
	#[pallet::storage]
	pub type OpenClaims<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Per claim party (insurer and provider): the block until which (exclusive) one of the
	/// denials or partial payments it was party to may still be disputed.
	#[pallet::storage]
	pub type DisputableUntil<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>, OptionQuery>;

	/// The bond held on the insurer for a disputed claim.
	#[pallet::storage]
	pub type DisputeBonds<T: Config> =
		StorageMap<_, Twox64Concat, ClaimId, BalanceOf<T>, OptionQuery>;

	/// The total claimed against each record across all insurers (claims not withdrawn).
	#[pallet::storage]
	pub type RecordBilled<T: Config> = StorageMap<_, Identity, RecordId, BalanceOf<T>, ValueQuery>;

	/// Events of the claims pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A provider submitted a claim.
		ClaimSubmitted {
			claim_id: ClaimId,
			provider: T::AccountId,
			insurer: T::AccountId,
			patient: T::AccountId,
			amount: BalanceOf<T>,
			digest: Digest,
		},
		/// The insurer approved `approved` (`partial` if less than claimed); it is escrowed.
		ClaimApproved {
			claim_id: ClaimId,
			insurer: T::AccountId,
			approved: BalanceOf<T>,
			partial: bool,
		},
		/// The insurer denied the claim.
		ClaimDenied { claim_id: ClaimId, insurer: T::AccountId, reason: ReasonCode },
		/// The escrow was paid to the provider.
		ClaimSettled { claim_id: ClaimId, provider: T::AccountId, paid: BalanceOf<T> },
		/// The provider disputed the decision, or escalated an overdue claim (`escalated`).
		ClaimDisputed {
			claim_id: ClaimId,
			provider: T::AccountId,
			reason_digest: Digest,
			escalated: bool,
		},
		/// Governance resolved a dispute: the insurer paid `award`; the provider has received
		/// `paid_total` for the claim.
		DisputeResolved { claim_id: ClaimId, award: BalanceOf<T>, paid_total: BalanceOf<T> },
		/// The provider withdrew the claim before adjudication.
		ClaimWithdrawn { claim_id: ClaimId, provider: T::AccountId },
	}

	/// Errors of the claims pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not an active provider organisation with a care role.
		NotActiveProvider,
		/// The insurer is not an active organisation with the Insurer role.
		NotActiveInsurer,
		/// A provider cannot claim from itself.
		CannotClaimFromSelf,
		/// The amount is zero.
		ZeroAmount,
		/// The amount is above `MaxClaimAmount`.
		AmountTooLarge,
		/// A claim must cite at least one record.
		NoRecords,
		/// The same record is cited twice.
		DuplicateRecord,
		/// A cited record is not anchored.
		UnknownRecord,
		/// A cited record was anchored by another provider.
		RecordNotByProvider,
		/// A cited record is about another patient.
		RecordNotOfPatient,
		/// A cited record was retracted.
		RecordRetracted,
		/// A cited record already backs an open claim to this insurer.
		RecordAlreadyClaimed,
		/// The patient has not granted the insurer Billing scope for the Payment purpose.
		ConsentMissing,
		/// A claim with this digest was submitted before.
		DuplicateClaim,
		/// The all-zero digest is not a digest of anything.
		InvalidDigest,
		/// Claim ids are exhausted (2^64 claims).
		ClaimIdOverflow,
		/// No claim with this id.
		UnknownClaim,
		/// Only the claim's insurer may adjudicate it.
		NotClaimInsurer,
		/// Only the claim's provider may do this.
		NotClaimProvider,
		/// The claim is not waiting for adjudication.
		NotAwaitingAdjudication,
		/// A partial approval is more than the claimed amount.
		PartialExceedsClaim,
		/// The insurer's free balance cannot cover this payment.
		InsurerCannotPay,
		/// The claim has no escrow to settle (not approved).
		NotApproved,
		/// The claim was settled already.
		AlreadySettled,
		/// The insurer still has time to adjudicate: escalation opens after
		/// `AdjudicationDeadline` blocks.
		AdjudicationNotOverdue,
		/// The claim was paid in full: nothing to dispute.
		NothingToDispute,
		/// The dispute window of this decision has closed.
		DisputeWindowClosed,
		/// The claim is already disputed.
		AlreadyDisputed,
		/// The claim is closed (withdrawn or resolved).
		ClaimClosed,
		/// The claim is not disputed.
		NotDisputed,
		/// The award is more than the unpaid remainder of the claim.
		AwardTooHigh,
		/// The patient has no live grant to the submitting provider covering a cited record
		/// (its scope, for Treatment) and no break-glass window of the provider is open: no
		/// care relationship stands behind the claim.
		NoCareRelationship,
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
		/// Submit a claim for `amount` to `insurer` for care given to `patient`, backed by
		/// `record_ids` (anchored by the caller, about the patient, not retracted).
		/// `claim_digest` is blake2-256 over a salt and the canonical FHIR Claim. Emits
		/// `ClaimSubmitted` with the new claim id.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit(record_ids.len() as u32))]
		pub fn submit(
			origin: OriginFor<T>,
			insurer: T::AccountId,
			patient: T::AccountId,
			claim_digest: Digest,
			amount: BalanceOf<T>,
			record_ids: BoundedVec<RecordId, T::MaxRecordsPerClaim>,
		) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			ensure!(
				T::Providers::active_roles(&provider).0 & Self::care_roles().0 != 0,
				Error::<T>::NotActiveProvider
			);
			ensure!(provider != insurer, Error::<T>::CannotClaimFromSelf);
			ensure!(T::Providers::is_active(&insurer, Role::Insurer), Error::<T>::NotActiveInsurer);
			ensure!(!claim_digest.is_zero(), Error::<T>::InvalidDigest);
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			ensure!(amount <= T::MaxClaimAmount::get(), Error::<T>::AmountTooLarge);
			ensure!(!ClaimByDigest::<T>::contains_key(claim_digest), Error::<T>::DuplicateClaim);
			ensure!(
				T::Consent::has_access(&patient, &insurer, Scope::Billing, Purpose::Payment),
				Error::<T>::ConsentMissing
			);
			ensure!(!record_ids.is_empty(), Error::<T>::NoRecords);
			for (i, id) in record_ids.iter().enumerate() {
				ensure!(
					!record_ids.iter().skip(i + 1).any(|o| o == id),
					Error::<T>::DuplicateRecord
				);
				let info = T::Records::record_info(id).ok_or(Error::<T>::UnknownRecord)?;
				ensure!(info.author == provider, Error::<T>::RecordNotByProvider);
				ensure!(info.subject == patient, Error::<T>::RecordNotOfPatient);
				ensure!(!info.retracted, Error::<T>::RecordRetracted);
				ensure!(
					T::Consent::may_access_record(&provider, id, Purpose::Treatment),
					Error::<T>::NoCareRelationship
				);
				ensure!(
					!RecordClaims::<T>::contains_key(id, &insurer),
					Error::<T>::RecordAlreadyClaimed
				);
			}
			let claim_id = NextClaimId::<T>::get();
			let next = claim_id.checked_add(1).ok_or(Error::<T>::ClaimIdOverflow)?;

			NextClaimId::<T>::put(next);
			for id in record_ids.iter() {
				RecordClaims::<T>::insert(id, &insurer, claim_id);
				RecordBilled::<T>::mutate(id, |b| *b = b.saturating_add(amount));
			}
			Self::open(&provider, &insurer);
			ClaimByDigest::<T>::insert(claim_digest, claim_id);
			PartyClaims::<T>::insert(&provider, claim_id, ());
			PartyClaims::<T>::insert(&insurer, claim_id, ());
			Claims::<T>::insert(
				claim_id,
				Claim {
					provider: provider.clone(),
					insurer: insurer.clone(),
					patient: patient.clone(),
					digest: claim_digest,
					amount,
					records: record_ids,
					submitted_at: frame_system::Pallet::<T>::block_number(),
					status: ClaimStatus::Submitted,
				},
			);
			Self::deposit_event(Event::ClaimSubmitted {
				claim_id,
				provider,
				insurer,
				patient,
				amount,
				digest: claim_digest,
			});
			Ok(())
		}

		/// Decide on a submitted claim, as its insurer (still an active Insurer). An approval
		/// (full or partial) holds the approved amount in escrow on the caller's account;
		/// without the funds the call fails with `InsurerCannotPay` and nothing changes.
		/// Emits `ClaimApproved` or `ClaimDenied`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::adjudicate())]
		pub fn adjudicate(
			origin: OriginFor<T>,
			claim_id: ClaimId,
			decision: Decision<BalanceOf<T>>,
		) -> DispatchResult {
			let insurer = ensure_signed(origin)?;
			let mut claim = Claims::<T>::get(claim_id).ok_or(Error::<T>::UnknownClaim)?;
			ensure!(claim.insurer == insurer, Error::<T>::NotClaimInsurer);
			ensure!(T::Providers::is_active(&insurer, Role::Insurer), Error::<T>::NotActiveInsurer);
			ensure!(claim.status == ClaimStatus::Submitted, Error::<T>::NotAwaitingAdjudication);
			let now = frame_system::Pallet::<T>::block_number();

			let approved = match decision {
				Decision::Approve => claim.amount,
				Decision::Partial(x) => {
					ensure!(!x.is_zero(), Error::<T>::ZeroAmount);
					ensure!(x <= claim.amount, Error::<T>::PartialExceedsClaim);
					x
				}
				Decision::Deny(reason) => {
					claim.status = ClaimStatus::Denied { reason, at: now };
					Self::close(&claim.provider, &insurer);
					Self::disputable(&claim.provider, &insurer, now);
					Claims::<T>::insert(claim_id, claim);
					Self::deposit_event(Event::ClaimDenied { claim_id, insurer, reason });
					return Ok(());
				}
			};
			T::Currency::hold(&HoldReason::ClaimEscrow.into(), &insurer, approved)
				.map_err(|_| Error::<T>::InsurerCannotPay)?;
			let partial = approved < claim.amount;
			claim.status = ClaimStatus::Approved { approved, at: now };
			Claims::<T>::insert(claim_id, claim);
			Self::deposit_event(Event::ClaimApproved { claim_id, insurer, approved, partial });
			Ok(())
		}

		/// Pay an approved claim's escrow to its provider (once). Anyone may call it: the
		/// funds can only go to the claim's provider. Emits `ClaimSettled`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::settle())]
		pub fn settle(origin: OriginFor<T>, claim_id: ClaimId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut claim = Claims::<T>::get(claim_id).ok_or(Error::<T>::UnknownClaim)?;
			let (approved, at) = match claim.status {
				ClaimStatus::Approved { approved, at } => (approved, at),
				ClaimStatus::Settled { .. } => return Err(Error::<T>::AlreadySettled.into()),
				_ => return Err(Error::<T>::NotApproved.into()),
			};
			Self::pay_escrow(&claim, approved)?;
			Self::close(&claim.provider, &claim.insurer);
			if approved < claim.amount {
				Self::disputable(&claim.provider, &claim.insurer, at);
			}
			claim.status = ClaimStatus::Settled { paid: approved, adjudicated_at: at };
			let provider = claim.provider.clone();
			Claims::<T>::insert(claim_id, claim);
			Self::deposit_event(Event::ClaimSettled { claim_id, provider, paid: approved });
			Ok(())
		}

		/// As the claim's provider, dispute a denial or a partial payment within
		/// `DisputeWindow` blocks of the decision (an unpaid partial escrow is paid out
		/// first), or escalate a claim the insurer has not adjudicated within
		/// `AdjudicationDeadline` blocks. `reason_digest` is the salted digest of the
		/// provider's dispute statement kept off-chain. Emits `ClaimDisputed` (after
		/// `ClaimSettled` when an escrow was paid out).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::dispute())]
		pub fn dispute(
			origin: OriginFor<T>,
			claim_id: ClaimId,
			reason_digest: Digest,
		) -> DispatchResult {
			let provider = ensure_signed(origin)?;
			let mut claim = Claims::<T>::get(claim_id).ok_or(Error::<T>::UnknownClaim)?;
			ensure!(claim.provider == provider, Error::<T>::NotClaimProvider);
			ensure!(!reason_digest.is_zero(), Error::<T>::InvalidDigest);
			let now = frame_system::Pallet::<T>::block_number();
			let within =
				|decided: BlockNumberFor<T>| now < decided.saturating_add(T::DisputeWindow::get());

			// `reopens`: the claim had stopped counting as open for the insurer.
			let (paid, escalated, escrow, reopens) = match claim.status {
				ClaimStatus::Submitted => {
					let due = claim.submitted_at.saturating_add(T::AdjudicationDeadline::get());
					ensure!(now >= due, Error::<T>::AdjudicationNotOverdue);
					(Zero::zero(), true, None, false)
				}
				ClaimStatus::Denied { at, .. } => {
					ensure!(within(at), Error::<T>::DisputeWindowClosed);
					(Zero::zero(), false, None, true)
				}
				ClaimStatus::Approved { approved, at } => {
					ensure!(approved < claim.amount, Error::<T>::NothingToDispute);
					ensure!(within(at), Error::<T>::DisputeWindowClosed);
					(approved, false, Some(approved), false)
				}
				ClaimStatus::Settled { paid, adjudicated_at } => {
					ensure!(paid < claim.amount, Error::<T>::NothingToDispute);
					ensure!(within(adjudicated_at), Error::<T>::DisputeWindowClosed);
					(paid, false, None, true)
				}
				ClaimStatus::Disputed { .. } => return Err(Error::<T>::AlreadyDisputed.into()),
				ClaimStatus::Resolved { .. } | ClaimStatus::Withdrawn { .. } => {
					return Err(Error::<T>::ClaimClosed.into())
				}
			};
			if let Some(amount) = escrow {
				Self::pay_escrow(&claim, amount)?;
				Self::deposit_event(Event::ClaimSettled {
					claim_id,
					provider: provider.clone(),
					paid: amount,
				});
			}
			// The bond: the unpaid remainder, or as much of it as the insurer can hold now.
			let remainder = claim.amount.saturating_sub(paid);
			let available = T::Currency::reducible_balance(
				&claim.insurer,
				Preservation::Preserve,
				Fortitude::Polite,
			);
			let bond = remainder.min(available);
			if !bond.is_zero() {
				T::Currency::hold(&HoldReason::DisputeBond.into(), &claim.insurer, bond)?;
				DisputeBonds::<T>::insert(claim_id, bond);
			}
			if reopens {
				Self::open(&claim.provider, &claim.insurer);
			}
			claim.status = ClaimStatus::Disputed { paid, reason: reason_digest, at: now };
			Claims::<T>::insert(claim_id, claim);
			Self::deposit_event(Event::ClaimDisputed {
				claim_id,
				provider,
				reason_digest,
				escalated,
			});
			Ok(())
		}

		/// Resolve a disputed claim (governance): the insurer pays the provider `award` (at
		/// most the unpaid remainder; zero rejects the dispute). An insurer without the funds
		/// fails the call with `InsurerCannotPay` and nothing changes. Emits
		/// `DisputeResolved`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::resolve_dispute())]
		pub fn resolve_dispute(
			origin: OriginFor<T>,
			claim_id: ClaimId,
			award: BalanceOf<T>,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut claim = Claims::<T>::get(claim_id).ok_or(Error::<T>::UnknownClaim)?;
			let ClaimStatus::Disputed { paid, .. } = claim.status else {
				return Err(Error::<T>::NotDisputed.into());
			};
			ensure!(award <= claim.amount.saturating_sub(paid), Error::<T>::AwardTooHigh);
			// The award comes from the bond first, the rest from the insurer's free funds;
			// what the award leaves of the bond is released.
			let bond = DisputeBonds::<T>::take(claim_id).unwrap_or_else(Zero::zero);
			let from_bond = award.min(bond);
			let rest = award.saturating_sub(from_bond);
			let reason: T::RuntimeHoldReason = HoldReason::DisputeBond.into();
			if !from_bond.is_zero() {
				T::Currency::transfer_on_hold(
					&reason,
					&claim.insurer,
					&claim.provider,
					from_bond,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Polite,
				)?;
			}
			if !rest.is_zero() {
				T::Currency::transfer(
					&claim.insurer,
					&claim.provider,
					rest,
					Preservation::Preserve,
				)
				.map_err(|_| Error::<T>::InsurerCannotPay)?;
			}
			let excess = bond.saturating_sub(from_bond);
			if !excess.is_zero() {
				T::Currency::release(&reason, &claim.insurer, excess, Precision::Exact)?;
			}
			Self::close(&claim.provider, &claim.insurer);
			let paid_total = paid.saturating_add(award);
			claim.status = ClaimStatus::Resolved {
				paid: paid_total,
				award,
				at: frame_system::Pallet::<T>::block_number(),
			};
			Claims::<T>::insert(claim_id, claim);
			Self::deposit_event(Event::DisputeResolved { claim_id, award, paid_total });
			Ok(())
		}

		/// Withdraw a claim before the insurer decides, as its provider. Its records may back
		/// a new claim; its digest stays used. Emits `ClaimWithdrawn`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::withdraw(T::MaxRecordsPerClaim::get()))]
		pub fn withdraw(origin: OriginFor<T>, claim_id: ClaimId) -> DispatchResultWithPostInfo {
			let provider = ensure_signed(origin)?;
			let mut claim = Claims::<T>::get(claim_id).ok_or(Error::<T>::UnknownClaim)?;
			ensure!(claim.provider == provider, Error::<T>::NotClaimProvider);
			ensure!(claim.status == ClaimStatus::Submitted, Error::<T>::NotAwaitingAdjudication);
			let records = claim.records.len() as u32;
			for id in claim.records.iter() {
				RecordClaims::<T>::remove(id, &claim.insurer);
				RecordBilled::<T>::mutate_exists(id, |b| {
					let left = b.unwrap_or_else(Zero::zero).saturating_sub(claim.amount);
					*b = if left.is_zero() { None } else { Some(left) };
				});
			}
			Self::close(&claim.provider, &claim.insurer);
			claim.status = ClaimStatus::Withdrawn { at: frame_system::Pallet::<T>::block_number() };
			Claims::<T>::insert(claim_id, claim);
			Self::deposit_event(Event::ClaimWithdrawn { claim_id, provider });
			Ok(Some(T::WeightInfo::withdraw(records)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The roles that may submit claims (care providers; an insurer-only organisation
		/// cannot).
		pub fn care_roles() -> Roles {
			Roles::from_items(&[
				Role::Hospital,
				Role::Clinic,
				Role::Lab,
				Role::Pharmacy,
				Role::Emergency,
			])
		}

		/// One more claim is open between `provider` and `insurer`.
		fn open(provider: &T::AccountId, insurer: &T::AccountId) {
			for who in [provider, insurer] {
				OpenClaims::<T>::mutate(who, |c| *c = c.saturating_add(1));
			}
		}

		/// One claim less is open between `provider` and `insurer`.
		fn close(provider: &T::AccountId, insurer: &T::AccountId) {
			for who in [provider, insurer] {
				OpenClaims::<T>::mutate_exists(who, |c| {
					let left = c.unwrap_or(0).saturating_sub(1);
					*c = if left == 0 { None } else { Some(left) };
				});
			}
		}

		/// A decision at `decided` on a claim between `provider` and `insurer` may be disputed
		/// until the window closes: both stay bound to the registry until then (the insurer
		/// may owe an award; the provider may reopen the claim, and a claim must never be
		/// reopened by an account that has left: fuzzer finding 1, docs/testing.md).
		fn disputable(provider: &T::AccountId, insurer: &T::AccountId, decided: BlockNumberFor<T>) {
			let until = decided.saturating_add(T::DisputeWindow::get());
			for who in [provider, insurer] {
				DisputableUntil::<T>::mutate(who, |u| {
					if u.is_none_or(|old| old < until) {
						*u = Some(until);
					}
				});
			}
		}

		/// Move `amount` held in escrow on the claim's insurer to its provider.
		fn pay_escrow(claim: &ClaimOf<T>, amount: BalanceOf<T>) -> DispatchResult {
			T::Currency::transfer_on_hold(
				&HoldReason::ClaimEscrow.into(),
				&claim.insurer,
				&claim.provider,
				amount,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Polite,
			)?;
			Ok(())
		}

		/// A claim as the runtime API returns it.
		pub fn claim(
			claim_id: ClaimId,
		) -> Option<ClaimInfo<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
			Claims::<T>::get(claim_id).map(|c| ClaimInfo {
				id: claim_id,
				provider: c.provider,
				insurer: c.insurer,
				patient: c.patient,
				digest: c.digest,
				amount: c.amount,
				records: c.records.into_inner(),
				submitted_at: c.submitted_at,
				status: c.status,
			})
		}

		/// The ids of claims `who` submitted or received, a page of at most `limit`
		/// (capped at [`MAX_PAGE`]) after claim `after` (in storage order; pass the last id
		/// of the previous page).
		pub fn claims_of(who: &T::AccountId, after: Option<ClaimId>, limit: u32) -> Vec<ClaimId> {
			let limit = limit.min(MAX_PAGE) as usize;
			match after {
				None => PartyClaims::<T>::iter_key_prefix(who).take(limit).collect(),
				Some(last) => PartyClaims::<T>::iter_key_prefix_from(
					who,
					PartyClaims::<T>::hashed_key_for(who, last),
				)
				.take(limit)
				.collect(),
			}
		}

		/// Invariants: each insurer's escrow hold equals the sum of its approved, unsettled
		/// claims; every claim's digest is indexed to it, its id is below `NextClaimId`, its
		/// parties are indexed, and (unless withdrawn) its records point to it; a claim never
		/// records more paid than claimed.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			use frame_support::traits::fungible::InspectHold;
			let mut escrow: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let next = NextClaimId::<T>::get();
			for (id, claim) in Claims::<T>::iter() {
				ensure!(id < next, "claim id not below NextClaimId");
				ensure!(ClaimByDigest::<T>::get(claim.digest) == Some(id), "digest not indexed");
				ensure!(PartyClaims::<T>::contains_key(&claim.provider, id), "provider index");
				ensure!(PartyClaims::<T>::contains_key(&claim.insurer, id), "insurer index");
				let withdrawn = matches!(claim.status, ClaimStatus::Withdrawn { .. });
				for r in claim.records.iter() {
					let indexed = RecordClaims::<T>::get(r, &claim.insurer) == Some(id);
					ensure!(indexed != withdrawn, "record index out of step with the claim");
				}
				match claim.status {
					ClaimStatus::Approved { approved, .. } => {
						ensure!(approved <= claim.amount, "approved more than claimed");
						let e = escrow.entry(claim.insurer.clone()).or_insert_with(Zero::zero);
						*e = e.saturating_add(approved);
					}
					ClaimStatus::Settled { paid, .. }
					| ClaimStatus::Disputed { paid, .. }
					| ClaimStatus::Resolved { paid, .. } => {
						ensure!(paid <= claim.amount, "paid more than claimed");
					}
					_ => {}
				}
			}
			for (_, _, id) in RecordClaims::<T>::iter() {
				ensure!(Claims::<T>::contains_key(id), "record index to an unknown claim");
			}
			let mut open: BTreeMap<T::AccountId, u32> = BTreeMap::new();
			let mut bonds: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
			let mut billed: BTreeMap<RecordId, BalanceOf<T>> = BTreeMap::new();
			for (id, claim) in Claims::<T>::iter() {
				if matches!(
					claim.status,
					ClaimStatus::Submitted
						| ClaimStatus::Approved { .. }
						| ClaimStatus::Disputed { .. }
				) {
					for who in [&claim.provider, &claim.insurer] {
						let c = open.entry(who.clone()).or_default();
						*c = c.saturating_add(1);
					}
				}
				if let Some(bond) = DisputeBonds::<T>::get(id) {
					ensure!(
						matches!(claim.status, ClaimStatus::Disputed { .. }),
						"bond of a claim not in dispute"
					);
					let b = bonds.entry(claim.insurer.clone()).or_insert_with(Zero::zero);
					*b = b.saturating_add(bond);
				}
				if !matches!(claim.status, ClaimStatus::Withdrawn { .. }) {
					for r in claim.records.iter() {
						let b = billed.entry(*r).or_insert_with(Zero::zero);
						*b = b.saturating_add(claim.amount);
					}
				}
			}
			for (insurer, count) in OpenClaims::<T>::iter() {
				ensure!(open.get(&insurer) == Some(&count), "open claim count mismatch");
			}
			ensure!(open.len() == OpenClaims::<T>::iter().count(), "open claims not counted");
			for (record, total) in RecordBilled::<T>::iter() {
				ensure!(billed.get(&record) == Some(&total), "billed total mismatch");
			}
			let bond_reason: T::RuntimeHoldReason = HoldReason::DisputeBond.into();
			for (insurer, sum) in bonds.iter() {
				ensure!(
					T::Currency::balance_on_hold(&bond_reason, insurer) == *sum,
					"dispute bond hold differs from the bonds"
				);
			}
			let reason: T::RuntimeHoldReason = HoldReason::ClaimEscrow.into();
			for (insurer, sum) in escrow.iter() {
				ensure!(
					T::Currency::balance_on_hold(&reason, insurer) == *sum,
					"escrow hold differs from the approved claims"
				);
			}
			for (who, _, ()) in PartyClaims::<T>::iter() {
				if !escrow.contains_key(&who) {
					ensure!(
						T::Currency::balance_on_hold(&reason, &who).is_zero(),
						"escrow hold without approved claims"
					);
				}
			}
			Ok(())
		}
	}

	impl<T: Config> OpenObligations<T::AccountId> for Pallet<T> {
		/// The open claims `who` is a party to (as provider or insurer), plus one while a
		/// closed claim `who` is party to may still be disputed (a denial or a partial
		/// payment within `DisputeWindow`): as its insurer it may owe an award, as its
		/// provider it may reopen the claim.
		fn open_obligations(who: &T::AccountId) -> u32 {
			let now = frame_system::Pallet::<T>::block_number();
			let disputable = DisputableUntil::<T>::get(who).is_some_and(|until| now < until);
			OpenClaims::<T>::get(who).saturating_add(u32::from(disputable))
		}
	}
}
