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

/// A well-formed ed25519 peer id unique per `(i, j)` (no key behind it: for setting up state
/// directly in storage).
fn node_id(i: u32, j: u32) -> NodeId {
	let mut bytes = alloc::vec![0x00u8, 36];
	bytes.extend_from_slice(&[0x08, 0x01, 0x12, 0x20]);
	bytes.extend_from_slice(&i.to_le_bytes());
	bytes.extend_from_slice(&j.to_le_bytes());
	bytes.resize(38, 0xAB);
	NodeId::truncate_from(bytes)
}

/// Key type of the node keys the benchmarks generate in the keystore.
const BENCH_NODE_KEY: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"hcnd");

/// A node with a real key in the benchmark keystore, listed with a valid proof for `who`.
fn node_proof<T: Config>(who: &T::AccountId, j: u32) -> Result<NodeProof, BenchmarkError> {
	let public = sp_io::crypto::ed25519_generate(
		BENCH_NODE_KEY,
		Some(alloc::format!("//healthchain-bench-node-{j}").into_bytes()),
	);
	let message = node_proof_message(Pallet::<T>::genesis_hash().as_ref(), who);
	let signature = sp_io::crypto::ed25519_sign(BENCH_NODE_KEY, &public, &message)
		.ok_or(BenchmarkError::Stop("no keystore to sign a node proof"))?;
	let mut peer_id = alloc::vec![0x00u8, 0x24, 0x08, 0x01, 0x12, 0x20];
	peer_id.extend_from_slice(public.as_ref());
	Ok(NodeProof { peer_id: NodeId::truncate_from(peer_id), signature })
}

/// List `MaxNodesPerProvider` nodes for `who` (the worst case for removing them), written
/// to storage directly.
fn full_nodes<T: Config>(who: &T::AccountId, i: u32) -> Result<(), BenchmarkError> {
	let nodes: alloc::vec::Vec<_> =
		(0..T::MaxNodesPerProvider::get()).map(|j| node_id(i, j)).collect();
	for n in nodes.iter() {
		NodeOwner::<T>::insert(n, who);
	}
	Nodes::<T>::insert(who, BoundedVec::truncate_from(nodes));
	Ok(())
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
		full_nodes::<T>(&who, 0)?;
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

	/// `n`: nodes in the new list, each with a proof to verify; the old list is full (all
	/// removed first).
	#[benchmark]
	fn set_nodes(n: Linear<0, { T::MaxNodesPerProvider::get() }>) -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		full_nodes::<T>(&who, 0)?;
		let nodes =
			(0..n).map(|j| node_proof::<T>(&who, j)).collect::<Result<alloc::vec::Vec<_>, _>>()?;

		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), BoundedVec::truncate_from(nodes));

		assert_eq!(Nodes::<T>::get(&who).len() as u32, n);
		Ok(())
	}

	/// `v`: session validators, each with a node listed (all checked).
	#[benchmark]
	fn set_network_permissioned(
		v: Linear<0, { T::MaxValidators::get() }>,
	) -> Result<(), BenchmarkError> {
		let validators: alloc::vec::Vec<T::AccountId> =
			(0..v).map(|i| account("validator", i, 0)).collect();
		for (i, who) in validators.iter().enumerate() {
			let node = node_id(1_000 + i as u32, 0);
			NodeOwner::<T>::insert(&node, who);
			Nodes::<T>::insert(who, BoundedVec::truncate_from(alloc::vec![node]));
		}
		T::SessionValidators::set_validators_for_benchmarks(validators);
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, true);

		assert!(NetworkPermissioned::<T>::get());
		Ok(())
	}

	/// `n`: nodes removed.
	#[benchmark]
	fn force_clear_nodes(
		n: Linear<0, { T::MaxNodesPerProvider::get() }>,
	) -> Result<(), BenchmarkError> {
		let who = registered::<T>("org")?;
		let nodes: alloc::vec::Vec<_> = (0..n).map(|j| node_id(2, j)).collect();
		for node in nodes.iter() {
			NodeOwner::<T>::insert(node, &who);
		}
		Nodes::<T>::insert(&who, BoundedVec::truncate_from(nodes));
		let origin = governance::<T>()?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		assert!(!Nodes::<T>::contains_key(&who));
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

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
