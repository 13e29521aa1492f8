//! Benchmarks (FRAME v2) of every call, in their worst case: the record or batch checks all
//! pass and every write happens.

use super::*;
use frame_benchmarking::v2::*;
use frame_support::{
	ensure,
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use healthchain_primitives::{ProviderRegistry, Role, Roles, Scope};
use sp_core::H256;

fn provider<T: Config>() -> T::AccountId {
	let who: T::AccountId = whitelisted_caller();
	T::Providers::make_active_for_benchmarks(&who, Roles::from(Role::Hospital));
	who
}

fn digest(n: u32) -> H256 {
	<sp_runtime::traits::BlakeTwo256 as sp_runtime::traits::Hash>::hash(&n.to_le_bytes())
}

/// Anchor the caller's record with local id 0x01.. and return its id.
fn anchored<T: Config>(caller: &T::AccountId) -> Result<H256, BenchmarkError> {
	let local_id = H256::repeat_byte(1);
	Pallet::<T>::anchor(
		RawOrigin::Signed(caller.clone()).into(),
		local_id,
		account("patient", 0, 0),
		digest(1),
		RecordKind(2),
		Scope::Labs,
	)
	.map_err(|_| BenchmarkError::Stop("anchor failed"))?;
	Ok(crate::record_id_of(caller, &local_id))
}

/// Anchor `n` records of the caller (local ids from 3_000_000) and return their ids.
fn anchored_many<T: Config>(
	caller: &T::AccountId,
	n: u32,
) -> Result<alloc::vec::Vec<H256>, BenchmarkError> {
	(0..n)
		.map(|i| {
			let local_id = digest(3_000_000 + i);
			Pallet::<T>::anchor(
				RawOrigin::Signed(caller.clone()).into(),
				local_id,
				account("patient", 0, 0),
				digest(4_000_000 + i),
				RecordKind(2),
				Scope::Labs,
			)
			.map_err(|_| BenchmarkError::Stop("anchor failed"))?;
			Ok(crate::record_id_of(caller, &local_id))
		})
		.collect()
}

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as Config>::RuntimeEvent::from(event).into());
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn anchor() {
		let caller = provider::<T>();
		let subject: T::AccountId = account("patient", 0, 0);
		let local_id = H256::repeat_byte(1);
		let record_id = crate::record_id_of(&caller, &local_id);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			local_id,
			subject.clone(),
			digest(1),
			RecordKind(2),
			Scope::Labs,
		);

		assert_last_event::<T>(Event::RecordAnchored {
			record_id,
			subject,
			author: caller,
			kind: RecordKind(2),
			scope: Scope::Labs,
			digest: digest(1),
		});
	}

	#[benchmark]
	fn amend() -> Result<(), BenchmarkError> {
		let caller = provider::<T>();
		let record_id = anchored::<T>(&caller)?;
		let max = T::MaxVersions::get();
		// The record one version short of the bound: the last amend that can succeed.
		for v in 2..max {
			Pallet::<T>::amend(RawOrigin::Signed(caller.clone()).into(), record_id, digest(v))
				.map_err(|_| BenchmarkError::Stop("amend failed"))?;
		}
		let new = digest(max);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), record_id, new);

		assert_last_event::<T>(Event::RecordAmended {
			record_id,
			version: max,
			digest: new,
			author: caller,
		});
		Ok(())
	}

	#[benchmark]
	fn retract() -> Result<(), BenchmarkError> {
		let caller = provider::<T>();
		let record_id = anchored::<T>(&caller)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), record_id, RetractReason::PatientRequest);

		assert_last_event::<T>(Event::RecordRetracted {
			record_id,
			reason: RetractReason::PatientRequest,
			author: caller,
		});
		Ok(())
	}

	#[benchmark]
	fn anchor_batch() {
		let caller = provider::<T>();
		let root = H256::repeat_byte(7);
		let leaves = T::MaxBatchLeaves::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), root, leaves);

		assert_last_event::<T>(Event::BatchAnchored {
			batch_id: 0,
			root,
			leaf_count: leaves,
			author: caller,
		});
	}

	#[benchmark]
	fn force_retract() -> Result<(), BenchmarkError> {
		let caller = provider::<T>();
		let record_id = anchored::<T>(&caller)?;
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, record_id, RetractReason::PatientRequest);

		assert_last_event::<T>(Event::RecordForceRetracted {
			record_id,
			reason: RetractReason::PatientRequest,
		});
		Ok(())
	}

	/// `anchor_many` with `n` first versions (each a fresh record: a read and a write).
	#[benchmark]
	fn anchor_many_anchors(
		n: Linear<1, { T::MaxAnchorsPerCall::get() }>,
	) -> Result<(), BenchmarkError> {
		let caller = provider::<T>();
		let subject: T::AccountId = account("patient", 0, 0);
		let ops: alloc::vec::Vec<_> = (0..n)
			.map(|i| AnchorOp::Anchor {
				local_id: digest(1_000_000 + i),
				subject: subject.clone(),
				digest: digest(i + 1),
				kind: RecordKind(2),
				scope: Scope::Labs,
			})
			.collect();
		let ops = BoundedVec::try_from(ops).map_err(|_| BenchmarkError::Stop("too many ops"))?;

		#[extrinsic_call]
		anchor_many(RawOrigin::Signed(caller.clone()), ops);

		if n > 0 {
			let last = crate::record_id_of(&caller, &digest(1_000_000 + n - 1));
			ensure!(Records::<T>::contains_key(last), "last anchor missing");
		}
		Ok(())
	}

	/// `anchor_many` with `n` new versions of `n` records (each moves the old version to the
	/// history: a read and two writes).
	#[benchmark]
	fn anchor_many_amends(
		n: Linear<1, { T::MaxAnchorsPerCall::get() }>,
	) -> Result<(), BenchmarkError> {
		let caller = provider::<T>();
		let ids = anchored_many::<T>(&caller, n)?;
		let ops: alloc::vec::Vec<_> = ids
			.iter()
			.enumerate()
			.map(|(i, record_id)| AnchorOp::Amend {
				record_id: *record_id,
				version: 2,
				digest: digest(2_000_000 + i as u32),
			})
			.collect();
		let ops = BoundedVec::try_from(ops).map_err(|_| BenchmarkError::Stop("too many ops"))?;

		#[extrinsic_call]
		anchor_many(RawOrigin::Signed(caller.clone()), ops);

		for id in ids {
			ensure!(Records::<T>::get(id).is_some_and(|e| e.versions == 2), "amend missing");
		}
		Ok(())
	}

	/// `anchor_many` with `n` retractions of `n` records.
	#[benchmark]
	fn anchor_many_retracts(
		n: Linear<1, { T::MaxAnchorsPerCall::get() }>,
	) -> Result<(), BenchmarkError> {
		let caller = provider::<T>();
		let ids = anchored_many::<T>(&caller, n)?;
		let ops: alloc::vec::Vec<_> = ids
			.iter()
			.map(|record_id| AnchorOp::Retract {
				record_id: *record_id,
				reason: RetractReason::PatientRequest,
			})
			.collect();
		let ops = BoundedVec::try_from(ops).map_err(|_| BenchmarkError::Stop("too many ops"))?;

		#[extrinsic_call]
		anchor_many(RawOrigin::Signed(caller.clone()), ops);

		for id in ids {
			ensure!(
				Records::<T>::get(id).is_some_and(|e| e.status != RecordStatus::Active),
				"retraction missing"
			);
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
