//! Storage migrations of the claims pallet.
//!
//! ## v1 → v2: open-claim counters, dispute deadlines, billed totals
//!
//! Version 2 adds [`OpenClaims`] (an insurer with open claims cannot deregister),
//! [`DisputableUntil`] (nor, insurer or provider, while a decision on one of its claims may
//! still be disputed),
//! [`RecordBilled`] (the total billed against each record) and [`DisputeBonds`]. No existing
//! item changes layout; the migration fills the three derived items from the claims already on
//! chain (one read per claim, a write per claim party and per cited record). Claims disputed
//! before the upgrade have no bond: their awards are paid from the insurer's free funds, as
//! before.

use crate::{
	BalanceOf, ClaimStatus, Claims, Config, DisputableUntil, OpenClaims, Pallet, RecordBilled,
};
use alloc::collections::btree_map::BTreeMap;
#[cfg(feature = "try-runtime")]
use alloc::vec::Vec;
use frame_support::{
	migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};
use frame_system::pallet_prelude::BlockNumberFor;
use healthchain_primitives::RecordId;
use sp_runtime::traits::{Saturating, Zero};

/// Fills the v2 indexes from the existing claims.
pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
	fn on_runtime_upgrade() -> Weight {
		let mut reads: u64 = 0;
		let mut open: BTreeMap<T::AccountId, u32> = BTreeMap::new();
		let mut until: BTreeMap<T::AccountId, BlockNumberFor<T>> = BTreeMap::new();
		let mut billed: BTreeMap<RecordId, BalanceOf<T>> = BTreeMap::new();
		let window = T::DisputeWindow::get();
		for (_, claim) in Claims::<T>::iter() {
			reads = reads.saturating_add(1);
			let decided = match claim.status {
				ClaimStatus::Submitted
				| ClaimStatus::Approved { .. }
				| ClaimStatus::Disputed { .. } => {
					for who in [&claim.provider, &claim.insurer] {
						let c = open.entry(who.clone()).or_default();
						*c = c.saturating_add(1);
					}
					None
				}
				ClaimStatus::Denied { at, .. } => Some(at),
				ClaimStatus::Settled { paid, adjudicated_at } if paid < claim.amount => {
					Some(adjudicated_at)
				}
				_ => None,
			};
			if let Some(at) = decided {
				let end = at.saturating_add(window);
				for party in [&claim.insurer, &claim.provider] {
					let u = until.entry(party.clone()).or_insert(end);
					if *u < end {
						*u = end;
					}
				}
			}
			if !matches!(claim.status, ClaimStatus::Withdrawn { .. }) {
				for r in claim.records.iter() {
					let b = billed.entry(*r).or_insert_with(Zero::zero);
					*b = b.saturating_add(claim.amount);
				}
			}
		}
		let writes = (open.len() + until.len() + billed.len()) as u64;
		for (insurer, c) in open {
			OpenClaims::<T>::insert(insurer, c);
		}
		for (insurer, u) in until {
			DisputableUntil::<T>::insert(insurer, u);
		}
		for (record, b) in billed {
			RecordBilled::<T>::insert(record, b);
		}
		log::info!(target: crate::LOG_TARGET, "claims v1 -> v2: {reads} claims indexed");
		T::DbWeight::get().reads_writes(reads, writes)
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
		ensure!(OpenClaims::<T>::iter().next().is_none(), "open-claim counters exist already");
		Ok(Vec::new())
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
