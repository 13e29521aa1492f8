//! Weights for `pallet_consent`: REGENERATE with scripts/bench-weights (bootstrap file).

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// Weight functions needed for `pallet_consent`.
pub trait WeightInfo {
	fn grant() -> Weight;
	fn revoke() -> Weight;
	fn add_guardian() -> Weight;
	fn remove_guardian() -> Weight;
	fn grant_for() -> Weight;
	fn revoke_for() -> Weight;
	fn break_glass() -> Weight;
	fn review_break_glass() -> Weight;
	fn log_access() -> Weight;
	fn log_access_batch(n: u32) -> Weight;
	fn sweep_blocks(n: u32) -> Weight;
	fn expire_grant() -> Weight;
	fn close_break_glass() -> Weight;
}

/// Weights for `pallet_consent` using the ParityDB weights of the runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn grant() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn revoke() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn add_guardian() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn remove_guardian() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn grant_for() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn revoke_for() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn break_glass() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn review_break_glass() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn log_access() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn log_access_batch(n: u32) -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
			.saturating_add(Weight::from_parts(20_000_000, 3000).saturating_mul(n.into()))
	}
	fn sweep_blocks(n: u32) -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
			.saturating_add(Weight::from_parts(20_000_000, 3000).saturating_mul(n.into()))
	}
	fn expire_grant() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	fn close_break_glass() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
}

// For tests and the mock.
impl WeightInfo for () {
	fn grant() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn revoke() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn add_guardian() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn remove_guardian() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn grant_for() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn revoke_for() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn break_glass() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn review_break_glass() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn log_access() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn log_access_batch(n: u32) -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
			.saturating_add(Weight::from_parts(20_000_000, 3000).saturating_mul(n.into()))
	}
	fn sweep_blocks(n: u32) -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
			.saturating_add(Weight::from_parts(20_000_000, 3000).saturating_mul(n.into()))
	}
	fn expire_grant() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
	fn close_break_glass() -> Weight {
		Weight::from_parts(50_000_000, 4000)
			.saturating_add(ParityDbWeight::get().reads(4))
			.saturating_add(ParityDbWeight::get().writes(4))
	}
}
