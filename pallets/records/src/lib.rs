//! # Records pallet
//!
//! Anchors of health records: the chain keeps, for each record, a **salted digest** of every
//! version, who anchored it and when, and whether the record was retracted — never the record
//! itself. Anyone holding a record and its salt can prove it is the current (or a superseded,
//! or a retracted) version; anyone holding a Merkle proof can prove a digest belongs to a
//! batch anchored by one root.
//!
//! ## Calls (active provider organisations with a care role only)
//!
//! - [`Pallet::anchor`]: first version of a record (`local_id`, `subject`, `digest`, `kind`,
//!   `scope`). The record's id is **derived from its author**:
//!   `record_id = blake2_256("healthchain/record" ++ author ++ local_id)` ([`record_id_of`]),
//!   so nobody can take an id another organisation is about to use (front-running an anchor
//!   only ever creates the front-runner's own record, under another id).
//! - [`Pallet::amend`]: a new version, by the record's author; every version is kept.
//! - [`Pallet::retract`]: tombstone with a reason code; a retracted record cannot be amended.
//! - [`Pallet::force_retract`]: the same tombstone by governance (wrong patient, court order,
//!   a patient's erasure request after the author left the consortium).
//! - [`Pallet::anchor_batch`]: one `binary-merkle-tree` root for many digests.
//! - [`Pallet::anchor_many`]: many individually addressable operations (first versions, new
//!   versions, retractions) in one extrinsic, each with the full semantics of its single call
//!   and its own event, so a gateway's anchoring rate is not bound by the per-extrinsic
//!   overhead. Operations are applied in order and independently: one that fails emits
//!   `AnchorOpFailed` with its error and writes nothing, the others still apply. An `Amend`
//!   names the version it creates, so submitting the same operations twice (a gateway that
//!   crashed between submission and inclusion) never adds a version twice.
//!
//! ## Scope: the record's data category
//!
//! Every record carries a [`Scope`] (Clinical, Labs, Imaging, Medications, MentalHealth,
//! Genomics, Billing) fixed at `anchor` for its whole life: `amend` cannot change it. The
//! consent pallet checks every access against the record's own scope, never against a scope the
//! accessor names, so an insurer holding a Billing grant cannot log (and so "prove consent
//! for") access to a MentalHealth note. A record in the wrong category is retracted and
//! anchored again.
//!
//! ## No consent needed to anchor
//!
//! Anchoring a record about a patient does **not** require a grant from the patient: a provider
//! documents the care it gave, including to a patient seen for the first time or unconscious
//! (treatment without prior consent). What a record alone cannot do is give its author
//! anything: reading the record across organisations, logging access to it and billing for it
//! each need the patient's consent (or an open break-glass window). Spam against an account is
//! bounded by who may anchor (approved, accountable care organisations paying fees) and
//! remedied by governance's `force_retract`. See docs/security.md.
//!
//! Care roles are Hospital, Clinic, Lab, Pharmacy and Emergency; an organisation holding only
//! the Insurer role cannot anchor. Spam is priced by transaction fees (benchmarked weights)
//! and limited to approved organisations; storage per record is bounded (`MaxVersions`).
//!
//! ## Verification
//!
//! [`Pallet::verify`] and [`Pallet::verify_inclusion`] back the runtime API
//! [`runtime_api::RecordsApi`], which the node serves as `records_verify` and
//! `records_verifyInclusion`.
//!
//! ## Privacy
//!
//! `record_id` and `digest` are 32-byte values computed off-chain from salted content;
//! `subject` is the patient's pseudonymous account (patients may hold one per provider
//! relationship); `kind` and `reason` are small codes. See docs/compliance.md.

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
pub const LOG_TARGET: &str = "runtime::records";

/// The domain tag of record ids: `record_id = blake2_256(RECORD_ID_DOMAIN ++ author ++ local_id)`.
pub const RECORD_ID_DOMAIN: &[u8] = b"healthchain/record";

/// The on-chain id of the record `author` anchors under its own `local_id`: blake2-256 over
/// [`RECORD_ID_DOMAIN`], the SCALE encoding of the author's account (32 bytes for the runtime's
/// `AccountId32`) and `local_id`. Ids are bound to their author, so an anchor cannot be
/// front-run onto someone else's id.
pub fn record_id_of<AccountId: codec::Encode>(
	author: &AccountId,
	local_id: &sp_core::H256,
) -> healthchain_primitives::RecordId {
	let mut bytes = alloc::vec::Vec::with_capacity(RECORD_ID_DOMAIN.len() + 64);
	bytes.extend_from_slice(RECORD_ID_DOMAIN);
	author.encode_to(&mut bytes);
	bytes.extend_from_slice(local_id.as_bytes());
	<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(&bytes)
}

/// The depth of a `binary-merkle-tree` over `leaf_count` leaves: the longest inclusion proof it
/// has (ceil(log2(leaf_count)); 0 for one leaf or none).
pub fn merkle_depth(leaf_count: u32) -> u32 {
	if leaf_count <= 1 {
		0
	} else {
		u32::BITS - (leaf_count - 1).leading_zeros()
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use healthchain_primitives::{
		Digest, ProviderRegistry, RecordId, RecordInfo, Role, Roles, Scope,
	};

	/// The in-code storage version: 2 added the record's scope to [`RecordEntry`]
	/// (see [`crate::migrations`]).
	pub(crate) const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the records pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Who is an active provider organisation, and in which roles.
		type Providers: ProviderRegistry<Self::AccountId>;

		/// The most versions one record may have (the first anchor included).
		#[pallet::constant]
		type MaxVersions: Get<u32>;

		/// The most leaves one Merkle batch may declare.
		#[pallet::constant]
		type MaxBatchLeaves: Get<u32>;

		/// The most operations one `anchor_many` may carry.
		#[pallet::constant]
		type MaxAnchorsPerCall: Get<u32>;

		/// Who may retract any record (root or a 2/3 council motion in the runtime).
		type GovernanceOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls, from benchmarks.
		type WeightInfo: WeightInfo;
	}

	/// Record anchors by record id.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		RecordId,
		RecordEntry<T::AccountId, BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// The superseded versions of every record, by (record id, version number from 1). The
	/// latest version lives in the record's entry, so anchoring a record writes one item.
	#[pallet::storage]
	pub type RecordVersions<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		RecordId,
		Twox64Concat,
		u32,
		RecordVersion<T::AccountId, BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// Merkle batches by id.
	#[pallet::storage]
	pub type Batches<T: Config> =
		StorageMap<_, Twox64Concat, BatchId, Batch<T::AccountId, BlockNumberFor<T>>, OptionQuery>;

	/// Which batch a Merkle root was anchored as.
	#[pallet::storage]
	pub type BatchByRoot<T: Config> = StorageMap<_, Identity, sp_core::H256, BatchId, OptionQuery>;

	/// The id the next batch gets.
	#[pallet::storage]
	pub type NextBatchId<T: Config> = StorageValue<_, BatchId, ValueQuery>;

	/// Events of the records pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A record was anchored (its version 1).
		RecordAnchored {
			record_id: RecordId,
			subject: T::AccountId,
			author: T::AccountId,
			kind: RecordKind,
			scope: Scope,
			digest: Digest,
		},
		/// A record got a new version.
		RecordAmended { record_id: RecordId, version: u32, digest: Digest, author: T::AccountId },
		/// A record was retracted by its author; it stays as a tombstone.
		RecordRetracted { record_id: RecordId, reason: RetractReason, author: T::AccountId },
		/// Governance retracted a record; it stays as a tombstone.
		RecordForceRetracted { record_id: RecordId, reason: RetractReason },
		/// Operation number `index` (from 0) of an `anchor_many` failed with `error` and changed
		/// nothing; the other operations were applied independently.
		AnchorOpFailed { index: u32, error: DispatchError },
		/// A Merkle batch root was anchored.
		BatchAnchored {
			batch_id: BatchId,
			root: sp_core::H256,
			leaf_count: u32,
			author: T::AccountId,
		},
	}

	/// Errors of the records pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not an active provider organisation with a care role (Hospital,
		/// Clinic, Lab, Pharmacy or Emergency).
		NotActiveProvider,
		/// A record with this id already exists.
		RecordAlreadyExists,
		/// The new version's digest equals the record's current digest: nothing changed.
		DigestUnchanged,
		/// The all-zero digest is not a digest of anything.
		InvalidDigest,
		/// No record with this id.
		UnknownRecord,
		/// Only the organisation that anchored the record may amend or retract it.
		NotRecordAuthor,
		/// The record was retracted: it can not be amended or retracted again.
		RecordRetracted,
		/// The record has reached `MaxVersions` versions.
		TooManyVersions,
		/// A batch must have at least one leaf.
		EmptyBatch,
		/// A batch may have at most `MaxBatchLeaves` leaves.
		BatchTooLarge,
		/// This Merkle root was already anchored.
		BatchAlreadyAnchored,
		/// Batch ids are exhausted (2^64 batches).
		BatchIdOverflow,
		/// An `anchor_many` amend names a version other than the record's next one: it was
		/// applied already (a repeated submission) or an earlier version is still missing.
		VersionMismatch,
		/// An `anchor_many` must carry at least one operation.
		NoOperations,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Anchor version 1 of a record.
		///
		/// - `local_id`: the author's own 32-byte key for the record (e.g. blake2-256 of its
		///   internal id and a salt). The record's id is `record_id_of(author, local_id)`,
		///   returned in `RecordAnchored`, computable off-chain beforehand.
		/// - `subject`: the patient's account.
		/// - `digest`: blake2-256 of the salt and the record's canonical bytes.
		/// - `kind`: the resource kind code.
		/// - `scope`: the record's data category (one `Scope`; an unknown value does not
		///   decode), fixed for its lifetime.
		///
		/// Emits `RecordAnchored`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::anchor())]
		pub fn anchor(
			origin: OriginFor<T>,
			local_id: sp_core::H256,
			subject: T::AccountId,
			digest: Digest,
			kind: RecordKind,
			scope: Scope,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_care_provider(&who)?;
			Self::do_anchor(who, local_id, subject, digest, kind, scope)
		}

		/// Anchor a new version of a record. Only the record's author may amend, and not after
		/// retraction. Emits `RecordAmended`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::amend())]
		pub fn amend(origin: OriginFor<T>, record_id: RecordId, digest: Digest) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_care_provider(&who)?;
			Self::do_amend(who, record_id, digest, None)
		}

		/// Retract a record, leaving a tombstone with `reason`. Only the record's author may
		/// retract. Emits `RecordRetracted`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::retract())]
		pub fn retract(
			origin: OriginFor<T>,
			record_id: RecordId,
			reason: RetractReason,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_care_provider(&who)?;
			Self::do_retract(who, record_id, reason)
		}

		/// Anchor the root of a Merkle tree over `leaf_count` record digests
		/// (`binary_merkle_tree::merkle_root::<BlakeTwo256, _>(digests)`). Emits
		/// `BatchAnchored` with the new batch id.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::anchor_batch())]
		pub fn anchor_batch(
			origin: OriginFor<T>,
			root: sp_core::H256,
			leaf_count: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_care_provider(&who)?;
			ensure!(!root.is_zero(), Error::<T>::InvalidDigest);
			ensure!(leaf_count > 0, Error::<T>::EmptyBatch);
			ensure!(leaf_count <= T::MaxBatchLeaves::get(), Error::<T>::BatchTooLarge);
			ensure!(!BatchByRoot::<T>::contains_key(root), Error::<T>::BatchAlreadyAnchored);
			let batch_id = NextBatchId::<T>::get();
			let next = batch_id.checked_add(1).ok_or(Error::<T>::BatchIdOverflow)?;

			NextBatchId::<T>::put(next);
			Batches::<T>::insert(
				batch_id,
				Batch {
					root,
					leaf_count,
					author: who.clone(),
					at: frame_system::Pallet::<T>::block_number(),
				},
			);
			BatchByRoot::<T>::insert(root, batch_id);

			Self::deposit_event(Event::BatchAnchored { batch_id, root, leaf_count, author: who });
			Ok(())
		}

		/// Retract any record by governance (root or a council motion), leaving the same
		/// tombstone as [`Pallet::retract`]: a record about the wrong patient, a court order, or
		/// a patient's erasure request (GDPR Art. 17, `PatientRequest`) when the author has left
		/// or does not act. Emits `RecordForceRetracted`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::force_retract())]
		pub fn force_retract(
			origin: OriginFor<T>,
			record_id: RecordId,
			reason: RetractReason,
		) -> DispatchResult {
			T::GovernanceOrigin::ensure_origin(origin)?;
			let mut entry = Records::<T>::get(record_id).ok_or(Error::<T>::UnknownRecord)?;
			ensure!(entry.status == RecordStatus::Active, Error::<T>::RecordRetracted);

			entry.status =
				RecordStatus::Retracted { reason, at: frame_system::Pallet::<T>::block_number() };
			Records::<T>::insert(record_id, entry);

			Self::deposit_event(Event::RecordForceRetracted { record_id, reason });
			Ok(())
		}

		/// Apply many record operations in one extrinsic, in order: each [`AnchorOp`] has the
		/// semantics of its single call (`Anchor` as [`Pallet::anchor`], `Amend` as
		/// [`Pallet::amend`] and only onto version `version - 1`, `Retract` as
		/// [`Pallet::retract`]) and emits that call's event; an operation that fails emits
		/// `AnchorOpFailed { index, error }` and writes nothing, and the others still apply.
		/// The caller must be an active care provider (checked once). Operations may build on
		/// each other (anchor, then amend the same record in one call).
		///
		/// Weight: the benchmarked cost of `a` anchors, `m` amends and `r` retractions.
		#[pallet::call_index(5)]
		#[pallet::weight(Pallet::<T>::anchor_many_weight(ops))]
		pub fn anchor_many(
			origin: OriginFor<T>,
			ops: BoundedVec<AnchorOp<T::AccountId>, T::MaxAnchorsPerCall>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::ensure_care_provider(&who)?;
			ensure!(!ops.is_empty(), Error::<T>::NoOperations);
			for (index, op) in ops.into_iter().enumerate() {
				let result = match op {
					AnchorOp::Anchor { local_id, subject, digest, kind, scope } => {
						Self::do_anchor(who.clone(), local_id, subject, digest, kind, scope)
					}
					AnchorOp::Amend { record_id, version, digest } => {
						Self::do_amend(who.clone(), record_id, digest, Some(version))
					}
					AnchorOp::Retract { record_id, reason } => {
						Self::do_retract(who.clone(), record_id, reason)
					}
				};
				if let Err(error) = result {
					// `index` < MaxAnchorsPerCall, a u32.
					let index = u32::try_from(index).unwrap_or(u32::MAX);
					Self::deposit_event(Event::AnchorOpFailed { index, error });
				}
			}
			Ok(())
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	impl<T: Config> Pallet<T> {
		/// The roles that may anchor, amend and retract records.
		pub fn care_roles() -> Roles {
			Roles::from_items(&[
				Role::Hospital,
				Role::Clinic,
				Role::Lab,
				Role::Pharmacy,
				Role::Emergency,
			])
		}

		/// The weight of an `anchor_many` carrying `ops`: one base cost (the provider check)
		/// plus each operation's benchmarked marginal cost.
		pub fn anchor_many_weight(ops: &[AnchorOp<T::AccountId>]) -> Weight {
			let (mut a, mut m, mut r) = (0u32, 0u32, 0u32);
			for op in ops {
				match op {
					AnchorOp::Anchor { .. } => a = a.saturating_add(1),
					AnchorOp::Amend { .. } => m = m.saturating_add(1),
					AnchorOp::Retract { .. } => r = r.saturating_add(1),
				}
			}
			T::WeightInfo::anchor_many_anchors(a)
				.saturating_add(
					T::WeightInfo::anchor_many_amends(m)
						.saturating_sub(T::WeightInfo::anchor_many_amends(0)),
				)
				.saturating_add(
					T::WeightInfo::anchor_many_retracts(r)
						.saturating_sub(T::WeightInfo::anchor_many_retracts(0)),
				)
		}

		/// Version 1 of `author`'s record `local_id` (checks, then the write, then the event).
		fn do_anchor(
			who: T::AccountId,
			local_id: sp_core::H256,
			subject: T::AccountId,
			digest: Digest,
			kind: RecordKind,
			scope: Scope,
		) -> DispatchResult {
			ensure!(!digest.is_zero(), Error::<T>::InvalidDigest);
			let record_id = crate::record_id_of(&who, &local_id);
			ensure!(!Records::<T>::contains_key(record_id), Error::<T>::RecordAlreadyExists);

			let now = frame_system::Pallet::<T>::block_number();
			Records::<T>::insert(
				record_id,
				RecordEntry {
					subject: subject.clone(),
					author: who.clone(),
					kind,
					scope,
					versions: 1,
					created_at: now,
					status: RecordStatus::Active,
					digest,
					updated_at: now,
				},
			);

			Self::deposit_event(Event::RecordAnchored {
				record_id,
				subject,
				author: who,
				kind,
				scope,
				digest,
			});
			Ok(())
		}

		/// A new version of a record by its author; with `expected`, only if it becomes that
		/// version (so a repeated operation cannot add a version twice).
		fn do_amend(
			who: T::AccountId,
			record_id: RecordId,
			digest: Digest,
			expected: Option<u32>,
		) -> DispatchResult {
			ensure!(!digest.is_zero(), Error::<T>::InvalidDigest);
			let mut entry = Records::<T>::get(record_id).ok_or(Error::<T>::UnknownRecord)?;
			ensure!(entry.author == who, Error::<T>::NotRecordAuthor);
			ensure!(entry.status == RecordStatus::Active, Error::<T>::RecordRetracted);
			if let Some(expected) = expected {
				ensure!(expected == entry.versions.saturating_add(1), Error::<T>::VersionMismatch);
			}
			ensure!(entry.versions < T::MaxVersions::get(), Error::<T>::TooManyVersions);
			let version = entry.versions.checked_add(1).ok_or(Error::<T>::TooManyVersions)?;
			ensure!(entry.digest != digest, Error::<T>::DigestUnchanged);

			let now = frame_system::Pallet::<T>::block_number();
			// The current version moves to the history; the entry carries the new one.
			RecordVersions::<T>::insert(record_id, entry.versions, Self::latest_version(&entry));
			entry.versions = version;
			entry.digest = digest;
			entry.updated_at = now;
			Records::<T>::insert(record_id, entry);

			Self::deposit_event(Event::RecordAmended { record_id, version, digest, author: who });
			Ok(())
		}

		/// A tombstone by the record's author.
		fn do_retract(
			who: T::AccountId,
			record_id: RecordId,
			reason: RetractReason,
		) -> DispatchResult {
			let mut entry = Records::<T>::get(record_id).ok_or(Error::<T>::UnknownRecord)?;
			ensure!(entry.author == who, Error::<T>::NotRecordAuthor);
			ensure!(entry.status == RecordStatus::Active, Error::<T>::RecordRetracted);

			entry.status =
				RecordStatus::Retracted { reason, at: frame_system::Pallet::<T>::block_number() };
			Records::<T>::insert(record_id, entry);

			Self::deposit_event(Event::RecordRetracted { record_id, reason, author: who });
			Ok(())
		}

		fn ensure_care_provider(who: &T::AccountId) -> DispatchResult {
			let roles = T::Providers::active_roles(who);
			ensure!(roles.0 & Self::care_roles().0 != 0, Error::<T>::NotActiveProvider);
			Ok(())
		}

		/// Whether `digest` is the current content of `record_id`. An older version is found by
		/// reading the record's history (at most `MaxVersions` - 1 items; runtime API only).
		pub fn verify(record_id: RecordId, digest: Digest) -> Verification {
			let Some(entry) = Records::<T>::get(record_id) else { return Verification::Unknown };
			if matches!(entry.status, RecordStatus::Retracted { .. }) {
				return Verification::Retracted;
			}
			if entry.digest == digest {
				return Verification::Valid { version: entry.versions };
			}
			// The newest matching version (content can return to an earlier state).
			(1..entry.versions)
				.rev()
				.find(|v| {
					RecordVersions::<T>::get(record_id, v).is_some_and(|old| old.digest == digest)
				})
				.map_or(Verification::Unknown, |version| Verification::Superseded {
					version,
					latest: entry.versions,
				})
		}

		/// Whether `leaf` (a record digest) is leaf number `leaf_index` of batch `batch_id`,
		/// given the sibling hashes `proof` (as built by `binary_merkle_tree::merkle_proof`).
		/// A proof longer than the batch's tree is deep ([`merkle_depth`]) is refused before
		/// any hashing, so the work is bounded by the batch, not by the caller.
		pub fn verify_inclusion(
			batch_id: BatchId,
			leaf: Digest,
			leaf_index: u32,
			proof: alloc::vec::Vec<sp_core::H256>,
		) -> bool {
			let Some(batch) = Batches::<T>::get(batch_id) else { return false };
			if proof.len() > crate::merkle_depth(batch.leaf_count) as usize {
				return false;
			}
			binary_merkle_tree::verify_proof::<sp_runtime::traits::BlakeTwo256, _, _>(
				&batch.root,
				proof,
				batch.leaf_count,
				leaf_index,
				&leaf,
			)
		}

		/// The record's anchor and latest version.
		pub fn record(
			record_id: RecordId,
		) -> Option<RecordSummary<T::AccountId, BlockNumberFor<T>>> {
			let entry = Records::<T>::get(record_id)?;
			let latest = Self::latest_version(&entry);
			Some(RecordSummary { record_id, entry, latest })
		}

		/// The latest version, as the entry holds it.
		fn latest_version(
			entry: &RecordEntry<T::AccountId, BlockNumberFor<T>>,
		) -> RecordVersion<T::AccountId, BlockNumberFor<T>> {
			RecordVersion {
				digest: entry.digest,
				author: entry.author.clone(),
				at: entry.updated_at,
			}
		}

		/// Every version of a record, oldest first (at most `MaxVersions`).
		pub fn history(
			record_id: RecordId,
		) -> alloc::vec::Vec<RecordVersion<T::AccountId, BlockNumberFor<T>>> {
			let Some(entry) = Records::<T>::get(record_id) else { return alloc::vec::Vec::new() };
			let mut versions: alloc::vec::Vec<_> = (1..entry.versions)
				.filter_map(|v| RecordVersions::<T>::get(record_id, v))
				.collect();
			versions.push(Self::latest_version(&entry));
			versions
		}

		/// Invariants: every record has exactly the superseded versions 1..`versions` in its
		/// history (the latest is in the entry), none for records that do not exist; every batch
		/// is indexed by its root and below `NextBatchId`.
		#[cfg(any(feature = "try-runtime", feature = "std", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			for (id, entry) in Records::<T>::iter() {
				ensure!(entry.versions >= 1, "record without versions");
				ensure!(entry.versions <= T::MaxVersions::get(), "record over MaxVersions");
				ensure!(!entry.digest.is_zero(), "record with a zero digest");
				ensure!(entry.updated_at >= entry.created_at, "latest version before the first");
				ensure!(Scope::ALL.contains(&entry.scope), "record without a single scope");
				for v in 1..entry.versions {
					ensure!(RecordVersions::<T>::contains_key(id, v), "missing superseded version");
				}
			}
			for (id, v, _) in RecordVersions::<T>::iter() {
				let entry = Records::<T>::get(id).ok_or("history of an unknown record")?;
				ensure!(
					v >= 1 && v < entry.versions,
					"history holds the latest or a future version"
				);
			}
			let next = NextBatchId::<T>::get();
			for (batch_id, batch) in Batches::<T>::iter() {
				ensure!(batch_id < next, "batch id not below NextBatchId");
				ensure!(
					BatchByRoot::<T>::get(batch.root) == Some(batch_id),
					"batch root not indexed"
				);
			}
			Ok(())
		}
	}

	/// A digest derived from a record id (benchmarks only): unique per id, never zero.
	#[cfg(feature = "runtime-benchmarks")]
	fn sp_io_hash(id: &RecordId) -> Digest {
		use sp_runtime::traits::Hash;
		sp_runtime::traits::BlakeTwo256::hash(id.as_bytes())
	}

	impl<T: Config> healthchain_primitives::RecordRegistry<T::AccountId> for Pallet<T> {
		fn record_info(id: &RecordId) -> Option<RecordInfo<T::AccountId>> {
			Records::<T>::get(id).map(|e| RecordInfo {
				subject: e.subject,
				author: e.author,
				scope: e.scope,
				retracted: matches!(e.status, RecordStatus::Retracted { .. }),
			})
		}

		#[cfg(feature = "runtime-benchmarks")]
		fn insert_for_benchmarks(id: &RecordId, info: RecordInfo<T::AccountId>) {
			let now = frame_system::Pallet::<T>::block_number();
			let status = if info.retracted {
				RecordStatus::Retracted { reason: RetractReason::Other, at: now }
			} else {
				RecordStatus::Active
			};
			let digest = sp_io_hash(id);
			Records::<T>::insert(
				id,
				RecordEntry {
					subject: info.subject,
					author: info.author,
					kind: RecordKind::default(),
					scope: info.scope,
					versions: 1,
					created_at: now,
					status,
					digest,
					updated_at: now,
				},
			);
		}
	}
}
