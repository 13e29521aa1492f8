//! Benchmarks (FRAME v2) of every call in its worst case: every check passes, every write
//! happens, the record list is at its bound where it is iterated, and funds really move.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate, MutateHold},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use healthchain_primitives::{
	ConsentCheck, ProviderRegistry, Purpose, RecordId, RecordInfo, RecordRegistry, Role, Roles,
	Scope,
};
use sp_core::H256;
use sp_runtime::traits::{Bounded, Saturating};

/// A 32-byte id from a number (`H256::from_low_u64_be` needs std).
fn id_from(n: u64) -> H256 {
	let mut bytes = [0u8; 32];
	bytes[24..].copy_from_slice(&n.to_be_bytes());
	H256(bytes)
}

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as Config>::RuntimeEvent::from(event).into());
}

struct Parties<T: Config> {
	provider: T::AccountId,
	insurer: T::AccountId,
	patient: T::AccountId,
}

/// An active hospital and a funded active insurer; the patient consents to the insurer.
fn parties<T: Config>() -> Parties<T> {
	let provider: T::AccountId = whitelisted_caller();
	let insurer: T::AccountId = account("insurer", 0, 0);
	let patient: T::AccountId = account("patient", 0, 0);
	T::Providers::make_active_for_benchmarks(&provider, Roles::from(Role::Hospital));
	T::Providers::make_active_for_benchmarks(&insurer, Roles::from(Role::Insurer));
	T::Consent::grant_for_benchmarks(&patient, &insurer, Scope::Billing, Purpose::Payment);
	// The care relationship behind the claim's records (Clinical, for treatment).
	T::Consent::grant_for_benchmarks(&patient, &provider, Scope::Clinical, Purpose::Treatment);
	let funds = BalanceOf::<T>::max_value() / 4u32.into();
	T::Currency::set_balance(&insurer, funds);
	T::Currency::set_balance(&provider, T::Currency::minimum_balance());
	Parties { provider, insurer, patient }
}

fn records<T: Config>(
	p: &Parties<T>,
	n: u32,
	salt: u32,
) -> BoundedVec<RecordId, T::MaxRecordsPerClaim> {
	let ids: Vec<RecordId> = (0..n)
		.map(|i| {
			let id = id_from((u64::from(salt) << 32) | u64::from(i));
			T::Records::insert_for_benchmarks(
				&id,
				RecordInfo {
					subject: p.patient.clone(),
					author: p.provider.clone(),
					scope: Scope::Clinical,
					retracted: false,
				},
			);
			id
		})
		.collect();
	BoundedVec::truncate_from(ids)
}

fn amount<T: Config>() -> BalanceOf<T> {
	T::MaxClaimAmount::get().min(T::Currency::minimum_balance().saturating_mul(1_000u32.into()))
}

/// A submitted claim with the maximum number of records; returns its id.
fn submitted<T: Config>(p: &Parties<T>) -> Result<ClaimId, BenchmarkError> {
	let id = NextClaimId::<T>::get();
	Pallet::<T>::submit(
		RawOrigin::Signed(p.provider.clone()).into(),
		p.insurer.clone(),
		p.patient.clone(),
		H256::repeat_byte(1),
		amount::<T>(),
		records::<T>(p, T::MaxRecordsPerClaim::get(), 1),
	)
	.map_err(|_| BenchmarkError::Stop("submit failed"))?;
	Ok(id)
}

fn adjudicated<T: Config>(
	p: &Parties<T>,
	decision: Decision<BalanceOf<T>>,
) -> Result<ClaimId, BenchmarkError> {
	let id = submitted::<T>(p)?;
	Pallet::<T>::adjudicate(RawOrigin::Signed(p.insurer.clone()).into(), id, decision)
		.map_err(|_| BenchmarkError::Stop("adjudicate failed"))?;
	Ok(id)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit(n: Linear<1, { T::MaxRecordsPerClaim::get() }>) {
		let p = parties::<T>();
		let ids = records::<T>(&p, n, 7);
		let digest = H256::repeat_byte(3);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(p.provider.clone()),
			p.insurer.clone(),
			p.patient.clone(),
			digest,
			amount::<T>(),
			ids,
		);

		assert_last_event::<T>(Event::ClaimSubmitted {
			claim_id: 0,
			provider: p.provider,
			insurer: p.insurer,
			patient: p.patient,
			amount: amount::<T>(),
			digest,
		});
	}

	/// A full approval: the escrow hold is the heavier branch.
	#[benchmark]
	fn adjudicate() -> Result<(), BenchmarkError> {
		let p = parties::<T>();
		let id = submitted::<T>(&p)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(p.insurer.clone()), id, Decision::Approve);

		assert_last_event::<T>(Event::ClaimApproved {
			claim_id: id,
			insurer: p.insurer,
			approved: amount::<T>(),
			partial: false,
		});
		Ok(())
	}

	#[benchmark]
	fn settle() -> Result<(), BenchmarkError> {
		let p = parties::<T>();
		let id = adjudicated::<T>(&p, Decision::Approve)?;
		let caller: T::AccountId = account("keeper", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);

		assert_last_event::<T>(Event::ClaimSettled {
			claim_id: id,
			provider: p.provider,
			paid: amount::<T>(),
		});
		Ok(())
	}

	/// Disputing an unsettled partial approval: the escrow is paid out first (the heaviest
	/// branch).
	#[benchmark]
	fn dispute() -> Result<(), BenchmarkError> {
		let p = parties::<T>();
		let part = amount::<T>() / 2u32.into();
		let id = adjudicated::<T>(&p, Decision::Partial(part))?;
		let reason = H256::repeat_byte(9);

		#[extrinsic_call]
		_(RawOrigin::Signed(p.provider.clone()), id, reason);

		assert_last_event::<T>(Event::ClaimDisputed {
			claim_id: id,
			provider: p.provider,
			reason_digest: reason,
			escalated: false,
		});
		Ok(())
	}

	/// An award of the whole claim after a denial whose bond covers only half of it: a
	/// transfer on hold from the bond and a transfer of the rest (the heaviest branch).
	#[benchmark]
	fn resolve_dispute() -> Result<(), BenchmarkError> {
		let p = parties::<T>();
		let id = adjudicated::<T>(&p, Decision::Deny(ReasonCode(1)))?;
		Pallet::<T>::dispute(
			RawOrigin::Signed(p.provider.clone()).into(),
			id,
			H256::repeat_byte(9),
		)
		.map_err(|_| BenchmarkError::Stop("dispute failed"))?;
		let bond = DisputeBonds::<T>::get(id).ok_or(BenchmarkError::Stop("no bond"))?;
		let half = bond / 2u32.into();
		T::Currency::release(
			&HoldReason::DisputeBond.into(),
			&p.insurer,
			bond.saturating_sub(half),
			frame_support::traits::tokens::Precision::Exact,
		)
		.map_err(|_| BenchmarkError::Stop("release failed"))?;
		DisputeBonds::<T>::insert(id, half);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let award = amount::<T>();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id, award);

		assert_last_event::<T>(Event::DisputeResolved { claim_id: id, award, paid_total: award });
		Ok(())
	}

	#[benchmark]
	fn withdraw(n: Linear<1, { T::MaxRecordsPerClaim::get() }>) -> Result<(), BenchmarkError> {
		let p = parties::<T>();
		let id = NextClaimId::<T>::get();
		Pallet::<T>::submit(
			RawOrigin::Signed(p.provider.clone()).into(),
			p.insurer.clone(),
			p.patient.clone(),
			H256::repeat_byte(1),
			amount::<T>(),
			records::<T>(&p, n, 1),
		)
		.map_err(|_| BenchmarkError::Stop("submit failed"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(p.provider.clone()), id);

		assert_last_event::<T>(Event::ClaimWithdrawn { claim_id: id, provider: p.provider });
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
