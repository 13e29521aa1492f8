//! Weights of the records pallet.
//!
//! PROVISIONAL: this file is replaced by `scripts/bench-weights`, which runs the v2 benchmarks
//! in `benchmarking.rs` with `healthchain-node benchmark pallet` on the reference machine.
//! Until then `SubstrateWeight` counts only the storage accesses each call makes (from the
//! code) and no compute, and the pallet is not part of the runtime.

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_records`.
pub trait WeightInfo {
	fn anchor() -> Weight;
	fn amend() -> Weight;
	fn retract() -> Weight;
	fn anchor_batch() -> Weight;
}

/// Weights for `pallet_records` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn anchor() -> Weight {
		T::DbWeight::get().reads_writes(2, 3)
	}
	fn amend() -> Weight {
		T::DbWeight::get().reads_writes(2, 3)
	}
	fn retract() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}
	fn anchor_batch() -> Weight {
		T::DbWeight::get().reads_writes(2, 3)
	}
}

// For tests.
impl WeightInfo for () {
	fn anchor() -> Weight {
		RocksDbWeight::get().reads_writes(2, 3)
	}
	fn amend() -> Weight {
		RocksDbWeight::get().reads_writes(2, 3)
	}
	fn retract() -> Weight {
		RocksDbWeight::get().reads_writes(1, 1)
	}
	fn anchor_batch() -> Weight {
		RocksDbWeight::get().reads_writes(2, 3)
	}
}
