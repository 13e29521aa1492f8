//! Benchmarks (FRAME v2) of every call and of the expiry processing in `on_initialize`, each
//! in its worst case (full expiry buckets, deposit held and released).

use super::*;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{fungible::Mutate, EnsureOrigin, Get, Hooks},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use healthchain_primitives::{Role, Roles};
use sp_runtime::traits::{Bounded, One, Saturating};

fn funded<T: Config>(name: &'static str, i: u32) -> T::AccountId
where
	T::Currency: Mutate<T::AccountId>,
{
	let who: T::AccountId = account(name, i, 0);
	let amount = T::RegistrationDeposit::get().saturating_mul(100u32.into());
	let _ = T::Currency::set_balance(&who, amount.max(BalanceOf::<T>::max_value() / 4u32.into()));
	who
}

fn expiry<T: Config>() -> BlockNumberFor<T> {
	frame_system::Pallet::<T>::block_number().saturating_add(T::MaxCredentialDuration::get())
}

/// Fill the expiry bucket of `at` up to one below the bound, so a push is the worst case.
fn fill_bucket<T: Config>(at: BlockNumberFor<T>)
where
	T::Currency: Mutate<T::AccountId>,
{
	let max = T::MaxExpiriesPerBlock::get();
	for i in 0..max.saturating_sub(1) {
		let other = funded::<T>("filler", i);
		Expiries::<T>::mutate(at, |v| {
			let _ = v.try_push(other);
		});
	}
}

fn registered<T: Config>(name: &'static str) -> Result<T::AccountId, BenchmarkError>
where
	T::Currency: Mutate<T::AccountId>,
{
	let who = funded::<T>(name, 0);
	let at = expiry::<T>();
	fill_bucket::<T>(at);
	Pallet::<T>::register(
		RawOrigin::Signed(who.clone()).into(),
		Roles::from_items(&[Role::Hospital, Role::Emergency]),
		Default::default(),
		at,
	)
	.map_err(|_| BenchmarkError::Stop("register failed"))?;
	Ok(who)
}

/// A well-formed peer id (identity multihash of a 36-byte key) unique per `(i, j)`.
fn node_id(i: u32, j: u32) -> NodeId {
	let mut bytes = alloc::vec![0x00u8, 36];
	bytes.extend_from_slice(&[0x08, 0x01, 0x12, 0x20]);
	bytes.extend_from_slice(&i.to_le_bytes());
	bytes.extend_from_slice(&j.to_le_bytes());
	bytes.resize(38, 0xAB);
	NodeId::truncate_from(bytes)
}

/// List `MaxNodesPerProvider` nodes for `who` (the worst case for removing them).
fn full_nodes<T: Config>(who: &T::AccountId, i: u32) -> Result<(), BenchmarkError> {
	let nodes: alloc::vec::Vec<_> =
		(0..T::MaxNodesPerProvider::get()).map(|j| node_id(i, j)).collect();
	Pallet::<T>::set_nodes(RawOrigin::Signed(who.clone()).into(), BoundedVec::truncate_from(nodes))
		.map_err(|_| BenchmarkError::Stop("set_nodes failed"))
}

fn governance<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks(where T::Currency: Mutate<T::AccountId>)]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register() {
		let who = funded::<T>("org", 0);
		let at = expiry::<T>();
		fill_bucket::<T>(at);
		let roles = Roles::all();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), roles, Default::default(), at);

		assert_eq!(Providers::<T>::get(&who).map(|p| p.status), Some(ProviderStatus::Pending));
	}

	#[benchmark]
	fn approve() -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(Providers::<T>::get(&who).map(|p| p.status), Some(ProviderStatus::Active));
		Ok(())
	}

	#[benchmark]
	fn reject() -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		full_nodes::<T>(&who, 0)?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(Providers::<T>::get(&who).is_none());
		Ok(())
	}

	#[benchmark]
	fn suspend() -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		Pallet::<T>::approve(governance::<T>()?, who.clone())
			.map_err(|_| BenchmarkError::Stop("approve failed"))?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(Providers::<T>::get(&who).map(|p| p.status), Some(ProviderStatus::Suspended));
		Ok(())
	}

	#[benchmark]
	fn reinstate() -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		Pallet::<T>::approve(governance::<T>()?, who.clone())
			.map_err(|_| BenchmarkError::Stop("approve failed"))?;
		Pallet::<T>::suspend(governance::<T>()?, who.clone())
			.map_err(|_| BenchmarkError::Stop("suspend failed"))?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(Providers::<T>::get(&who).map(|p| p.status), Some(ProviderStatus::Active));
		Ok(())
	}

	#[benchmark]
	fn revoke() -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert_eq!(Providers::<T>::get(&who).map(|p| p.status), Some(ProviderStatus::Revoked));
		Ok(())
	}

	#[benchmark]
	fn renew_credential() -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		// Worst case: the old bucket is full (the scan to remove) and so is the new one less one.
		let new_at = expiry::<T>().saturating_sub(One::one());
		fill_bucket::<T>(new_at);

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Default::default(), new_at);

		assert_eq!(Providers::<T>::get(&who).map(|p| p.credential_expires_at), Some(new_at));
		Ok(())
	}

	/// An active organisation with a full node list and no open obligations leaves. The
	/// obligations check runs in the measured call: in the runtime `T::Obligations` is the
	/// claims pallet, whose lookup is one storage read, so the generated weight includes it
	/// (the test double answers 0 without reading). A fresh account has no open claims, so the
	/// call succeeds; a revoked organisation or one with open claims fails early and is cheaper.
	#[benchmark]
	fn deregister() -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		Pallet::<T>::approve(governance::<T>()?, who.clone())
			.map_err(|_| BenchmarkError::Stop("approve failed"))?;
		full_nodes::<T>(&who, 0)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));

		assert!(Providers::<T>::get(&who).is_none());
		Ok(())
	}

	/// `n`: nodes in the new list; the old list is full (all removed first).
	#[benchmark]
	fn set_nodes(n: Linear<0, { T::MaxNodesPerProvider::get() }>) -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		full_nodes::<T>(&who, 0)?;
		let nodes: alloc::vec::Vec<_> = (0..n).map(|j| node_id(1, j)).collect();

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), BoundedVec::truncate_from(nodes));

		assert_eq!(Nodes::<T>::get(&who).len() as u32, n);
		Ok(())
	}

	#[benchmark]
	fn set_network_permissioned() -> Result<(), BenchmarkError> {
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, true);

		assert!(NetworkPermissioned::<T>::get());
		Ok(())
	}

	#[benchmark]
	fn on_initialize_expiries(n: Linear<0, { T::MaxExpiriesPerBlock::get() }>) {
		let at = expiry::<T>();
		for i in 0..n {
			let who = funded::<T>("lapsing", i);
			Providers::<T>::insert(
				&who,
				Provider {
					roles: Roles::from(Role::Lab),
					status: ProviderStatus::Active,
					credential_digest: Default::default(),
					credential_expires_at: at,
					deposit: Default::default(),
					registered_at: Default::default(),
				},
			);
			Expiries::<T>::mutate(at, |v| {
				let _ = v.try_push(who);
			});
		}

		#[block]
		{
			Pallet::<T>::on_initialize(at);
		}

		assert!(Expiries::<T>::get(at).is_empty());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
