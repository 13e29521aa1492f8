//! Weights for `pallet_claims`: REGENERATE with scripts/bench-weights (bootstrap file).

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// Weight functions needed for `pallet_claims`.
pub trait WeightInfo {
	fn submit(n: u32) -> Weight;
	fn adjudicate() -> Weight;
	fn settle() -> Weight;
	fn dispute() -> Weight;
	fn resolve_dispute() -> Weight;
	fn withdraw(n: u32) -> Weight;
}

/// Weights for `pallet_claims` using the ParityDB weights of the runtime.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn submit(n: u32) -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
			.saturating_add(Weight::from_parts(20_000_000, 3000).saturating_mul(n.into()))
	}
	fn adjudicate() -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	fn settle() -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	fn dispute() -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	fn withdraw(n: u32) -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(8))
			.saturating_add(Weight::from_parts(20_000_000, 3000).saturating_mul(n.into()))
	}
}

// For tests and the mock.
impl WeightInfo for () {
	fn submit(n: u32) -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(ParityDbWeight::get().reads(8))
			.saturating_add(ParityDbWeight::get().writes(8))
			.saturating_add(Weight::from_parts(20_000_000, 3000).saturating_mul(n.into()))
	}
	fn adjudicate() -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(ParityDbWeight::get().reads(8))
			.saturating_add(ParityDbWeight::get().writes(8))
	}
	fn settle() -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(ParityDbWeight::get().reads(8))
			.saturating_add(ParityDbWeight::get().writes(8))
	}
	fn dispute() -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(ParityDbWeight::get().reads(8))
			.saturating_add(ParityDbWeight::get().writes(8))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(ParityDbWeight::get().reads(8))
			.saturating_add(ParityDbWeight::get().writes(8))
	}
	fn withdraw(n: u32) -> Weight {
		Weight::from_parts(80_000_000, 6000)
			.saturating_add(ParityDbWeight::get().reads(8))
			.saturating_add(ParityDbWeight::get().writes(8))
			.saturating_add(Weight::from_parts(20_000_000, 3000).saturating_mul(n.into()))
	}
}
