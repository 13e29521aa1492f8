//! Weights of the providers pallet.
//!
//! PROVISIONAL: this file is replaced by `scripts/bench-weights`, which runs the v2 benchmarks
//! in `benchmarking.rs` with `healthchain-node benchmark pallet` once the pallet is in the
//! runtime. Until then the weights count only the storage accesses each call makes (read off
//! the code: the registration, its expiry bucket and the deposit hold's account and holds).

#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_providers`.
pub trait WeightInfo {
	fn register() -> Weight;
	fn approve() -> Weight;
	fn reject() -> Weight;
	fn suspend() -> Weight;
	fn reinstate() -> Weight;
	fn revoke() -> Weight;
	fn renew_credential() -> Weight;
	fn deregister() -> Weight;
	fn on_initialize_expiries(n: u32) -> Weight;
}

/// Weights for `pallet_providers` using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register() -> Weight {
		T::DbWeight::get().reads_writes(4, 4)
	}
	fn approve() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}
	fn reject() -> Weight {
		T::DbWeight::get().reads_writes(4, 4)
	}
	fn suspend() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}
	fn reinstate() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}
	fn revoke() -> Weight {
		T::DbWeight::get().reads_writes(1, 1)
	}
	fn renew_credential() -> Weight {
		T::DbWeight::get().reads_writes(3, 3)
	}
	fn deregister() -> Weight {
		T::DbWeight::get().reads_writes(4, 4)
	}
	fn on_initialize_expiries(n: u32) -> Weight {
		T::DbWeight::get().reads_writes(1, 1).saturating_add(T::DbWeight::get().reads(n as u64))
	}
}

// For tests.
impl WeightInfo for () {
	fn register() -> Weight {
		RocksDbWeight::get().reads_writes(4, 4)
	}
	fn approve() -> Weight {
		RocksDbWeight::get().reads_writes(1, 1)
	}
	fn reject() -> Weight {
		RocksDbWeight::get().reads_writes(4, 4)
	}
	fn suspend() -> Weight {
		RocksDbWeight::get().reads_writes(1, 1)
	}
	fn reinstate() -> Weight {
		RocksDbWeight::get().reads_writes(1, 1)
	}
	fn revoke() -> Weight {
		RocksDbWeight::get().reads_writes(1, 1)
	}
	fn renew_credential() -> Weight {
		RocksDbWeight::get().reads_writes(3, 3)
	}
	fn deregister() -> Weight {
		RocksDbWeight::get().reads_writes(4, 4)
	}
	fn on_initialize_expiries(n: u32) -> Weight {
		RocksDbWeight::get().reads_writes(1, 1).saturating_add(RocksDbWeight::get().reads(n as u64))
	}
}
