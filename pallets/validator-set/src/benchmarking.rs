//! Benchmarks (FRAME v2) of every call, in the worst case: the set holds `v` validators and the
//! account searched for is at its end.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use healthchain_primitives::{ProviderRegistry, Role, Roles};

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

/// An active organisation with session keys.
fn candidate<T: Config>(i: u32) -> T::AccountId {
	let who: T::AccountId = account("validator", i, 0);
	T::Providers::make_active_for_benchmarks(&who, Roles::from(Role::Hospital));
	T::SessionKeys::set_keys_for_benchmarks(&who);
	who
}

/// Replace the admitted set with `n` fresh validators.
fn fill<T: Config>(n: u32) -> Vec<T::AccountId> {
	let set: Vec<_> = (0..n).map(|i| candidate::<T>(i)).collect();
	Validators::<T>::put(BoundedVec::truncate_from(set.clone()));
	set
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `v`: validators already admitted (the duplicate check scans them).
	#[benchmark]
	fn add_validator(
		v: Linear<1, { T::MaxValidators::get().saturating_sub(1) }>,
	) -> Result<(), BenchmarkError> {
		fill::<T>(v);
		let who = candidate::<T>(u32::MAX);
		let origin = governance::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());
		assert!(Validators::<T>::get().contains(&who));
		Ok(())
	}

	/// `v`: validators admitted; the one removed is the last.
	#[benchmark]
	fn remove_validator(
		v: Linear<
			{ T::MinAuthorities::get().saturating_add(1).max(2) },
			{ T::MaxValidators::get() },
		>,
	) -> Result<(), BenchmarkError> {
		let set = fill::<T>(v);
		let who = set.last().cloned().ok_or(BenchmarkError::Stop("empty set"))?;
		let origin = governance::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());
		assert!(!Validators::<T>::get().contains(&who));
		Ok(())
	}

	#[benchmark]
	fn set_session_length() -> Result<(), BenchmarkError> {
		let blocks = T::MaxSessionLength::get();
		let origin = governance::<T>()?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, blocks);
		assert_eq!(SessionBlocks::<T>::get(), blocks);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
