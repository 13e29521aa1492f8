//! Benchmarks (FRAME v2) of every call and of the expiry sweep, each in its worst case: every
//! check passes, every write happens, lists are at their bound where a search over them runs.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	weights::WeightMeter,
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use healthchain_primitives::{
	ProviderRegistry, Purpose, Purposes, RecordId, RecordInfo, RecordRegistry, Role, Roles, Scope,
	Scopes,
};
use sp_core::H256;
use sp_runtime::traits::{One, Saturating, Zero};

/// A 32-byte id from a number (`H256::from_low_u64_be` needs std).
fn id_from(n: u64) -> H256 {
	let mut bytes = [0u8; 32];
	bytes[24..].copy_from_slice(&n.to_be_bytes());
	H256(bytes)
}

fn assert_last_event<T: Config>(event: Event<T>) {
	frame_system::Pallet::<T>::assert_last_event(<T as Config>::RuntimeEvent::from(event).into());
}

fn provider<T: Config>(name: &'static str, roles: Roles) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	T::Providers::make_active_for_benchmarks(&who, roles);
	who
}

fn all_scopes() -> Scopes {
	Scopes::all()
}

fn all_purposes() -> Purposes {
	Purposes::all()
}

/// `patient` grants `grantee` everything, with the default (maximum) expiry.
fn grant_all<T: Config>(
	patient: &T::AccountId,
	grantee: &T::AccountId,
) -> Result<(), BenchmarkError> {
	Pallet::<T>::grant(
		RawOrigin::Signed(patient.clone()).into(),
		grantee.clone(),
		all_scopes(),
		all_purposes(),
		None,
		None,
	)
	.map(|_| ())
	.map_err(|_| BenchmarkError::Stop("grant failed"))
}

/// The patient's guardian list filled to the bound, with `guardian` in it.
fn fill_guardians<T: Config>(
	patient: &T::AccountId,
	guardian: &T::AccountId,
) -> Result<(), BenchmarkError> {
	let max = T::MaxGuardians::get();
	let mut list: Vec<T::AccountId> =
		(1..max).map(|i| account::<T::AccountId>("guardian", i, 0)).collect();
	list.push(guardian.clone());
	list.sort();
	let bounded: BoundedVec<_, T::MaxGuardians> =
		list.try_into().map_err(|_| BenchmarkError::Stop("guardians over bound"))?;
	Guardians::<T>::insert(patient, bounded);
	Ok(())
}

/// A `patient_call` of `action` by `signer` with `nonce`, valid for the longest lifetime,
/// signed in the `<Bytes>`-wrapped form (the slower check: the raw form is tried first).
fn signed_patient_call<T: Config>(
	signer: T::AccountId,
	nonce: u32,
	action: PatientAction<T::AccountId, BlockNumberFor<T>>,
) -> Call<T> {
	let now = frame_system::Pallet::<T>::block_number();
	let payload = PatientPayload {
		signer: signer.clone(),
		nonce,
		valid_until: now.saturating_add(T::MaxPayloadLifetime::get()),
		action,
	};
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	let mut message = b"<Bytes>".to_vec();
	message.extend(patient_payload_message(genesis.as_ref(), &payload));
	message.extend_from_slice(b"</Bytes>");
	let signature = T::BenchmarkHelper::sign(&signer, &message);
	Call::<T>::patient_call { payload, signature }
}

fn record_of<T: Config>(n: u32, patient: &T::AccountId, author: &T::AccountId) -> RecordId {
	let id = id_from(u64::from(n) + 1);
	T::Records::insert_for_benchmarks(
		&id,
		RecordInfo {
			subject: patient.clone(),
			author: author.clone(),
			scope: Scope::Clinical,
			retracted: false,
		},
	);
	id
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Replacing an existing grant (unqueue the old expiry, queue the new) is the heavier
	/// path than a first grant.
	#[benchmark]
	fn grant() -> Result<(), BenchmarkError> {
		let patient: T::AccountId = whitelisted_caller();
		let grantee: T::AccountId = account("grantee", 0, 0);
		Pallet::<T>::grant(
			RawOrigin::Signed(patient.clone()).into(),
			grantee.clone(),
			Scopes::from(Scope::Clinical),
			Purposes::from(Purpose::Treatment),
			Some(frame_system::Pallet::<T>::block_number().saturating_add(One::one())),
			None,
		)
		.map_err(|_| BenchmarkError::Stop("first grant failed"))?;
		let digest = H256::repeat_byte(9);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(patient.clone()),
			grantee.clone(),
			all_scopes(),
			all_purposes(),
			None,
			Some(digest),
		);

		let expires_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::MaxGrantDuration::get());
		assert_last_event::<T>(Event::ConsentUpdated {
			patient: patient.clone(),
			grantee,
			scopes: all_scopes(),
			purposes: all_purposes(),
			expires_at,
			consent_digest: Some(digest),
			by: patient,
		});
		Ok(())
	}

	#[benchmark]
	fn revoke() -> Result<(), BenchmarkError> {
		let patient: T::AccountId = whitelisted_caller();
		let grantee: T::AccountId = account("grantee", 0, 0);
		grant_all::<T>(&patient, &grantee)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), grantee.clone());

		assert_last_event::<T>(Event::ConsentRevoked {
			patient: patient.clone(),
			grantee,
			by: patient,
		});
		Ok(())
	}

	#[benchmark]
	fn add_guardian() -> Result<(), BenchmarkError> {
		let patient: T::AccountId = whitelisted_caller();
		// One short of the bound: the last insert that can succeed.
		let max = T::MaxGuardians::get();
		let list: Vec<T::AccountId> =
			(1..max).map(|i| account::<T::AccountId>("guardian", i, 0)).collect();
		let mut list = list;
		list.sort();
		let bounded: BoundedVec<_, T::MaxGuardians> =
			list.try_into().map_err(|_| BenchmarkError::Stop("guardians over bound"))?;
		Guardians::<T>::insert(&patient, bounded);
		let guardian: T::AccountId = account("guardian", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), guardian.clone());

		assert_last_event::<T>(Event::GuardianAdded { patient, guardian });
		Ok(())
	}

	#[benchmark]
	fn remove_guardian() -> Result<(), BenchmarkError> {
		let patient: T::AccountId = whitelisted_caller();
		let guardian: T::AccountId = account("guardian", 0, 0);
		fill_guardians::<T>(&patient, &guardian)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), guardian.clone());

		assert_last_event::<T>(Event::GuardianRemoved { patient, guardian });
		Ok(())
	}

	#[benchmark]
	fn grant_for() -> Result<(), BenchmarkError> {
		let patient: T::AccountId = account("patient", 0, 0);
		let guardian: T::AccountId = whitelisted_caller();
		fill_guardians::<T>(&patient, &guardian)?;
		let grantee: T::AccountId = account("grantee", 0, 0);
		// Replacing a grant (unqueue + queue) is the heavier path.
		grant_all::<T>(&patient, &grantee)?;

		#[extrinsic_call]
		_(
			RawOrigin::Signed(guardian.clone()),
			patient.clone(),
			grantee.clone(),
			all_scopes(),
			all_purposes(),
			None,
			Some(H256::repeat_byte(9)),
		);

		assert!(Grants::<T>::get(&patient, &grantee).is_some_and(|g| g.granted_by == guardian));
		Ok(())
	}

	#[benchmark]
	fn revoke_for() -> Result<(), BenchmarkError> {
		let patient: T::AccountId = account("patient", 0, 0);
		let guardian: T::AccountId = whitelisted_caller();
		fill_guardians::<T>(&patient, &guardian)?;
		let grantee: T::AccountId = account("grantee", 0, 0);
		grant_all::<T>(&patient, &grantee)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(guardian.clone()), patient.clone(), grantee.clone());

		assert_last_event::<T>(Event::ConsentRevoked { patient, grantee, by: guardian });
		Ok(())
	}

	#[benchmark]
	fn break_glass() {
		let er = provider::<T>("er", Roles::from_items(&[Role::Hospital, Role::Emergency]));
		let patient: T::AccountId = account("patient", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(er.clone()), patient.clone(), BreakGlassReason::LifeThreatening);

		let expires_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::BreakGlassDuration::get());
		assert_last_event::<T>(Event::BreakGlassOpened {
			id: 0,
			patient,
			provider: er,
			reason: BreakGlassReason::LifeThreatening,
			expires_at,
		});
	}

	/// The worst case: an `Unjustified` verdict on a window still open (closed at once) that
	/// is the provider's `UnjustifiedLimit`-th (the organisation is suspended).
	#[benchmark]
	fn review_break_glass() -> Result<(), BenchmarkError> {
		let er = provider::<T>("er", Roles::from_items(&[Role::Hospital, Role::Emergency]));
		let patient: T::AccountId = account("patient", 0, 0);
		Pallet::<T>::break_glass(
			RawOrigin::Signed(er.clone()).into(),
			patient,
			BreakGlassReason::Other,
		)
		.map_err(|_| BenchmarkError::Stop("break_glass failed"))?;
		let limit = T::UnjustifiedLimit::get();
		BreakGlassTallies::<T>::mutate(&er, |t| t.unjustified = limit.saturating_sub(1));
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, Verdict::Unjustified);

		assert!(OpenWindows::<T>::iter().next().is_none());
		Ok(())
	}

	/// The patient's guardian closes a provider's open window (the guardian list is full and
	/// searched).
	#[benchmark]
	fn close_break_glass_early() -> Result<(), BenchmarkError> {
		let er = provider::<T>("er", Roles::from_items(&[Role::Hospital, Role::Emergency]));
		let patient: T::AccountId = account("patient", 0, 0);
		let guardian: T::AccountId = whitelisted_caller();
		fill_guardians::<T>(&patient, &guardian)?;
		Pallet::<T>::break_glass(
			RawOrigin::Signed(er.clone()).into(),
			patient.clone(),
			BreakGlassReason::Other,
		)
		.map_err(|_| BenchmarkError::Stop("break_glass failed"))?;

		#[extrinsic_call]
		close_break_glass(RawOrigin::Signed(guardian), patient.clone(), er.clone());

		assert_last_event::<T>(Event::BreakGlassClosed {
			id: 0,
			patient,
			provider: er,
			cause: CloseCause::Guardian,
		});
		Ok(())
	}

	/// The worst case: the grant does not cover a treatment access (wrong scope is not
	/// possible with every scope granted, so the grant is expired) and the basis is an open
	/// break-glass window: every read happens.
	#[benchmark]
	fn log_access() -> Result<(), BenchmarkError> {
		let er = provider::<T>("er", Roles::from_items(&[Role::Hospital, Role::Emergency]));
		let patient: T::AccountId = account("patient", 0, 0);
		let record_id = record_of::<T>(0, &patient, &er);
		Pallet::<T>::grant(
			RawOrigin::Signed(patient.clone()).into(),
			er.clone(),
			all_scopes(),
			all_purposes(),
			Some(frame_system::Pallet::<T>::block_number().saturating_add(One::one())),
			None,
		)
		.map_err(|_| BenchmarkError::Stop("grant failed"))?;
		let later = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(later);
		Pallet::<T>::break_glass(
			RawOrigin::Signed(er.clone()).into(),
			patient.clone(),
			BreakGlassReason::Other,
		)
		.map_err(|_| BenchmarkError::Stop("break_glass failed"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(er.clone()), patient.clone(), record_id, Purpose::Treatment);

		assert_last_event::<T>(Event::AccessLogged {
			patient,
			accessor: er,
			record_id,
			scope: Scope::Clinical,
			purpose: Purpose::Treatment,
			basis: AccessBasis::BreakGlass(0),
		});
		Ok(())
	}

	/// `n` accesses to `n` distinct patients' records, each covered by a grant.
	#[benchmark]
	fn log_access_batch(n: Linear<1, { T::MaxAccessBatch::get() }>) -> Result<(), BenchmarkError> {
		let clinic = provider::<T>("clinic", Roles::from(Role::Clinic));
		let mut entries = Vec::new();
		for i in 0..n {
			let patient: T::AccountId = account("patient", i, 0);
			grant_all::<T>(&patient, &clinic)?;
			entries.push(AccessEntry {
				record_id: record_of::<T>(i, &patient, &clinic),
				patient,
				purpose: Purpose::Treatment,
			});
		}
		let entries: BoundedVec<_, T::MaxAccessBatch> =
			entries.try_into().map_err(|_| BenchmarkError::Stop("batch over bound"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(clinic), entries);

		Ok(())
	}

	/// `n` disclosures of `n` distinct patients' records to `n` distinct recipients (each an
	/// active provider, so its provider entry is read too), each covered by a grant.
	#[benchmark]
	fn record_disclosures(
		n: Linear<1, { T::MaxAccessBatch::get() }>,
	) -> Result<(), BenchmarkError> {
		let hospital = provider::<T>("hospital", Roles::from(Role::Hospital));
		let checked_at = frame_system::Pallet::<T>::block_number();
		let mut entries = Vec::new();
		for i in 0..n {
			let patient: T::AccountId = account("patient", i, 0);
			let recipient: T::AccountId = account("recipient", i, 0);
			T::Providers::make_active_for_benchmarks(&recipient, Roles::from(Role::Clinic));
			grant_all::<T>(&patient, &recipient)?;
			entries.push(DisclosureEntry {
				recipient,
				record_id: record_of::<T>(i, &patient, &hospital),
				patient,
				purpose: Purpose::Treatment,
				checked_at,
			});
		}
		let entries: BoundedVec<_, T::MaxAccessBatch> =
			entries.try_into().map_err(|_| BenchmarkError::Stop("batch over bound"))?;
		let last = entries.last().cloned().ok_or(BenchmarkError::Stop("empty batch"))?;

		#[extrinsic_call]
		_(RawOrigin::Signed(hospital.clone()), entries);

		assert_last_event::<T>(Event::RecordDisclosed {
			discloser: hospital,
			recipient: last.recipient,
			patient: last.patient,
			record_id: last.record_id,
			scope: Scope::Clinical,
			purpose: Purpose::Treatment,
			checked_at,
			verdict: Ok(AccessBasis::Consent),
		});
		Ok(())
	}

	/// `on_idle` walking `n` blocks that have no expiries (one grant is queued far ahead, so
	/// the walk cannot jump).
	#[benchmark]
	fn sweep_blocks(n: Linear<1, 100>) -> Result<(), BenchmarkError> {
		let patient: T::AccountId = account("patient", 0, 0);
		let grantee: T::AccountId = account("grantee", 0, 0);
		grant_all::<T>(&patient, &grantee)?;
		let start = frame_system::Pallet::<T>::block_number();
		SweptUpTo::<T>::put(start);
		let now = start.saturating_add(BlockNumberFor::<T>::from(n));
		let mut meter = WeightMeter::new();

		#[block]
		{
			Pallet::<T>::sweep_expired(now, &mut meter);
		}

		assert_eq!(SweptUpTo::<T>::get(), now);
		assert_eq!(QueuedExpiries::<T>::get(), 1);
		Ok(())
	}

	/// `on_idle` sweeping one block in which `n` grants expire together (the attack of
	/// security finding 3): with the cursor every entry costs the same, however many were
	/// already deleted in this block, so the cost is linear in `n`.
	#[benchmark]
	fn sweep_entries(n: Linear<1, 3_000>) -> Result<(), BenchmarkError> {
		let grantee: T::AccountId = account("grantee", 0, 0);
		let start = frame_system::Pallet::<T>::block_number();
		let at = start.saturating_add(One::one());
		for i in 0..n {
			let patient: T::AccountId = account("patient", i, 0);
			Pallet::<T>::grant(
				RawOrigin::Signed(patient).into(),
				grantee.clone(),
				all_scopes(),
				all_purposes(),
				Some(at),
				None,
			)
			.map_err(|_| BenchmarkError::Stop("grant failed"))?;
		}
		SweptUpTo::<T>::put(start);
		let mut meter = WeightMeter::new();

		#[block]
		{
			Pallet::<T>::sweep_expired(at, &mut meter);
		}

		assert_eq!(QueuedExpiries::<T>::get(), 0);
		assert_eq!(SweptUpTo::<T>::get(), at);
		Ok(())
	}

	/// Expiring one grant: look up the block's next entry, unqueue it, remove the grant.
	#[benchmark]
	fn expire_grant() -> Result<(), BenchmarkError> {
		let patient: T::AccountId = account("patient", 0, 0);
		let grantee: T::AccountId = account("grantee", 0, 0);
		grant_all::<T>(&patient, &grantee)?;
		let at = Grants::<T>::get(&patient, &grantee)
			.map(|g| g.expires_at)
			.ok_or(BenchmarkError::Stop("no grant"))?;

		#[block]
		{
			if let Some(key) = Pallet::<T>::next_expiring(at, None) {
				Pallet::<T>::expire(at, key);
			}
		}

		assert!(!Grants::<T>::contains_key(&patient, &grantee));
		assert_last_event::<T>(Event::ConsentExpired { patient, grantee });
		Ok(())
	}

	/// Closing one break-glass window: look up the block's next entry, unqueue it, close it.
	#[benchmark]
	fn close_break_glass() -> Result<(), BenchmarkError> {
		let er = provider::<T>("er", Roles::from_items(&[Role::Hospital, Role::Emergency]));
		let patient: T::AccountId = account("patient", 0, 0);
		Pallet::<T>::break_glass(
			RawOrigin::Signed(er.clone()).into(),
			patient.clone(),
			BreakGlassReason::Other,
		)
		.map_err(|_| BenchmarkError::Stop("break_glass failed"))?;
		let at = OpenWindows::<T>::get(&patient, &er)
			.map(|w| w.expires_at)
			.ok_or(BenchmarkError::Stop("no window"))?;

		#[block]
		{
			if let Some(key) = Pallet::<T>::next_expiring(at, None) {
				Pallet::<T>::expire(at, key);
			}
		}

		assert!(!OpenWindows::<T>::contains_key(&patient, &er));
		assert_last_event::<T>(Event::BreakGlassClosed {
			id: 0,
			patient,
			provider: er,
			cause: CloseCause::Expired,
		});
		Ok(())
	}

	/// Admitting a fee-less patient call, worst case: a guardian's revocation for a ward
	/// (guardian list at its bound, the grant read), signed in the `<Bytes>`-wrapped form (two
	/// signature verifications), a nonce ahead of the next one (the pool's `requires` tag).
	#[benchmark]
	fn authorize_patient_call() -> Result<(), BenchmarkError> {
		use frame_support::{pallet_prelude::TransactionSource, traits::Authorize};
		let signer = T::BenchmarkHelper::signer();
		let patient: T::AccountId = account("patient", 0, 0);
		fill_guardians::<T>(&patient, &signer)?;
		let grantee: T::AccountId = account("grantee", 0, 0);
		grant_all::<T>(&patient, &grantee)?;
		let call = signed_patient_call::<T>(
			signer,
			1,
			PatientAction::RevokeFor { patient: patient.clone(), grantee: grantee.clone() },
		);

		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or(BenchmarkError::Stop("patient_call must be authorizable"))?
				.map_err(|_| BenchmarkError::Stop("patient call refused"))?;
		}

		assert!(Grants::<T>::contains_key(&patient, &grantee));
		Ok(())
	}

	/// A relayed patient call's checks and bookkeeping: expiry, nonce, the wrapped signature
	/// (two verifications), the nonce write, the action in its own storage layer (here a
	/// revocation of nothing, which fails after one read) and the event.
	#[benchmark]
	fn patient_call_overhead() -> Result<(), BenchmarkError> {
		let signer = T::BenchmarkHelper::signer();
		let grantee: T::AccountId = account("grantee", 0, 0);
		let relayer: T::AccountId = whitelisted_caller();
		let call = signed_patient_call::<T>(
			signer.clone(),
			0,
			PatientAction::Revoke { grantee: grantee.clone() },
		);
		let Call::<T>::patient_call { payload, signature } = call else {
			return Err(BenchmarkError::Stop("not a patient call"));
		};

		#[extrinsic_call]
		patient_call(RawOrigin::Signed(relayer.clone()), payload, signature);

		assert_eq!(PatientNonces::<T>::get(&signer), 1);
		assert_last_event::<T>(Event::PatientCallExecuted {
			signer,
			nonce: 0,
			relayer: Some(relayer),
			result: Err(Error::<T>::GrantNotFound.into()),
		});
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
