//! Storage migrations of the providers pallet.
//!
//! ## v1 → v2: no empty expiry buckets
//!
//! Version 1 wrote an empty `Expiries` bucket back whenever a renewal or a deregistration took
//! the last organisation out of it; version 2 removes a bucket when it empties, and `try_state`
//! checks that none is stored. The migration deletes the empty buckets left on chain: one read
//! per bucket (at most one per future block with an expiry), one write per empty bucket.

use crate::{Config, Expiries, Pallet};
#[cfg(feature = "try-runtime")]
use alloc::vec::Vec;
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};

/// Removes the empty `Expiries` buckets.
pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
	fn on_runtime_upgrade() -> Weight {
		let mut reads: u64 = 0;
		let mut empty = alloc::vec::Vec::new();
		for (at, bucket) in Expiries::<T>::iter() {
			reads = reads.saturating_add(1);
			if bucket.is_empty() {
				empty.push(at);
			}
		}
		let writes = empty.len() as u64;
		for at in empty {
			Expiries::<T>::remove(at);
		}
		log::info!(target: "runtime::providers", "providers v1 -> v2: {writes} empty buckets removed");
		T::DbWeight::get().reads_writes(reads, writes)
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(_: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		Pallet::<T>::do_try_state()
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
