//! Storage migrations of the records pallet.
//!
//! ## v1 → v2: every record gets its scope
//!
//! Version 2 adds [`RecordEntry::scope`], the record's data category that every access is
//! checked against. Records anchored before it had none; the migration derives one from the
//! record's [`RecordKind`] with [`scope_of_kind`] (the table in docs/records.md). A kind that
//! says nothing about the data (unspecified, Patient, Encounter, DocumentReference, Consent) is
//! given **Clinical**, the category care providers hold: an insurer's Billing grant never
//! covers it. Authors who need another category retract and anchor again.

use crate::{Config, Pallet, RecordEntry, RecordKind, RecordStatus, Records};
#[cfg(feature = "try-runtime")]
use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};
use frame_system::pallet_prelude::BlockNumberFor;
use healthchain_primitives::{Digest, Scope};

/// The scope a legacy record of `kind` gets (docs/records.md, "Kinds and scopes").
pub fn scope_of_kind(kind: RecordKind) -> Scope {
	match kind.0 {
		// Observation, DiagnosticReport: laboratory results by default.
		2 | 6 => Scope::Labs,
		// MedicationRequest, Immunization.
		5 | 8 => Scope::Medications,
		// ImagingStudy.
		7 => Scope::Imaging,
		// Claim, ClaimResponse.
		13 | 14 => Scope::Billing,
		// Condition, Procedure, AllergyIntolerance, and every kind that does not say.
		_ => Scope::Clinical,
	}
}

/// The layouts before version 2.
pub mod v1 {
	use super::*;

	/// A record anchor as version 1 stored it (no scope).
	#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
	pub struct RecordEntryV1<AccountId, BlockNumber> {
		/// The patient.
		pub subject: AccountId,
		/// The author.
		pub author: AccountId,
		/// The kind.
		pub kind: RecordKind,
		/// Number of versions.
		pub versions: u32,
		/// First version's block.
		pub created_at: BlockNumber,
		/// Active or retracted.
		pub status: RecordStatus<BlockNumber>,
		/// Latest digest.
		pub digest: Digest,
		/// Latest version's block.
		pub updated_at: BlockNumber,
	}
}

/// Rewrites every [`Records`] entry from the v1 layout, adding the scope of its kind. One read
/// and one write per record.
pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
	fn on_runtime_upgrade() -> Weight {
		let mut count: u64 = 0;
		Records::<T>::translate::<v1::RecordEntryV1<T::AccountId, BlockNumberFor<T>>, _>(
			|_, old| {
				count = count.saturating_add(1);
				Some(RecordEntry {
					subject: old.subject,
					author: old.author,
					kind: old.kind,
					scope: scope_of_kind(old.kind),
					versions: old.versions,
					created_at: old.created_at,
					status: old.status,
					digest: old.digest,
					updated_at: old.updated_at,
				})
			},
		);
		log::info!(target: crate::LOG_TARGET, "records v1 -> v2: {count} records given a scope");
		T::DbWeight::get().reads_writes(count, count)
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
		Ok((Records::<T>::iter_keys().count() as u64).encode())
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		let before = u64::decode(&mut &state[..])
			.map_err(|_| sp_runtime::TryRuntimeError::Other("bad pre_upgrade state"))?;
		let mut after: u64 = 0;
		for (_, entry) in Records::<T>::iter() {
			ensure!(entry.scope == scope_of_kind(entry.kind), "record scope not from its kind");
			after = after.saturating_add(1);
		}
		ensure!(before == after, "records lost or gained by the migration");
		Ok(())
	}
}

/// v1 → v2, run once: only when the on-chain storage version is 1, then set to 2.
pub type MigrateV1ToV2<T> = VersionedMigration<
	1,
	2,
	InnerMigrateV1ToV2<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
