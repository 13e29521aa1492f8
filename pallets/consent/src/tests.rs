//! Tests of the consent pallet: every call's success and every error path, the origin/role
//! matrix, expiry at the exact boundary block, same-block revocation, guardians, break-glass
//! windows and reviews, the access audit trail, and the bounded expiry sweep.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok, dispatch::DispatchResult, traits::Hooks, weights::WeightMeter,
	BoundedVec,
};
use healthchain_primitives::{ConsentCheck, Purpose, Purposes, Role, Scope, Scopes};
use sp_core::H256;
use sp_runtime::DispatchError;

fn scopes(items: &[Scope]) -> Scopes {
	Scopes::from_items(items)
}

fn purposes(items: &[Purpose]) -> Purposes {
	Purposes::from_items(items)
}

/// PATIENT grants `grantee` Clinical + Labs for Treatment + Payment until `expires_at`.
fn grant_to(grantee: u64, expires_at: Option<u64>) -> DispatchResult {
	Consent::grant(
		RuntimeOrigin::signed(PATIENT),
		grantee,
		scopes(&[Scope::Clinical, Scope::Labs]),
		purposes(&[Purpose::Treatment, Purpose::Payment]),
		expires_at,
		None,
	)
	.map(|_| ())
	.map_err(|e| e.error)
}

/// `who` logs access to PATIENT's record `record`, which is (re)filed under `scope` first:
/// the category checked is always the record's own.
fn log(who: u64, record: u8, scope: Scope, purpose: Purpose) -> DispatchResult {
	MockRecords::set_scope(record_id(record), scope);
	Consent::log_access(RuntimeOrigin::signed(who), PATIENT, record_id(record), purpose)
}

/// `log` with any origin.
fn log_as(origin: RuntimeOrigin, record: u8, scope: Scope, purpose: Purpose) -> DispatchResult {
	MockRecords::set_scope(record_id(record), scope);
	Consent::log_access(origin, PATIENT, record_id(record), purpose)
}

fn record_id(n: u8) -> H256 {
	record(n)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Consent(e) => Some(e),
			_ => None,
		})
		.collect()
}

fn last_event() -> Event<Test> {
	events().pop().expect("an event")
}

fn try_state() {
	Consent::do_try_state().expect("invariants hold");
}

/// A batch entry for `record`, which is (re)filed under `scope` first.
fn entry(patient: u64, record: u8, scope: Scope, purpose: Purpose) -> AccessEntry<u64> {
	MockRecords::set_scope(record_id(record), scope);
	AccessEntry { patient, record_id: record_id(record), purpose }
}

// ---- grant ----

#[test]
fn grant_stores_the_grant_and_emits_event() {
	new_test_ext().execute_with(|| {
		let digest = H256::repeat_byte(7);
		assert_ok!(Consent::grant(
			RuntimeOrigin::signed(PATIENT),
			CLINIC,
			scopes(&[Scope::Clinical]),
			purposes(&[Purpose::Treatment]),
			Some(101),
			Some(digest),
		));
		let g = Grants::<Test>::get(PATIENT, CLINIC).expect("stored");
		assert_eq!(g.scopes, scopes(&[Scope::Clinical]));
		assert_eq!(g.purposes, purposes(&[Purpose::Treatment]));
		assert_eq!(g.granted_at, 1);
		assert_eq!(g.expires_at, 101);
		assert_eq!(g.granted_by, PATIENT);
		assert_eq!(g.consent_digest, Some(digest));
		assert_eq!(GrantCount::<Test>::get(PATIENT), 1);
		assert!(ExpiryQueue::<Test>::contains_key(101, (PATIENT, CLINIC, Expiring::Grant)));
		assert_eq!(
			last_event(),
			Event::ConsentGranted {
				patient: PATIENT,
				grantee: CLINIC,
				scopes: scopes(&[Scope::Clinical]),
				purposes: purposes(&[Purpose::Treatment]),
				expires_at: 101,
				consent_digest: Some(digest),
				by: PATIENT,
			}
		);
		try_state();
	});
}

#[test]
fn grant_without_expiry_lasts_the_maximum() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, None));
		assert_eq!(Grants::<Test>::get(PATIENT, CLINIC).map(|g| g.expires_at), Some(1 + MAX_GRANT));
	});
}

#[test]
fn grant_beyond_the_maximum_is_capped() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, Some(1_000_000)));
		assert_eq!(Grants::<Test>::get(PATIENT, CLINIC).map(|g| g.expires_at), Some(1 + MAX_GRANT));
		// Exactly the maximum is kept as is.
		assert_ok!(grant_to(INSURER, Some(1 + MAX_GRANT)));
		assert_eq!(
			Grants::<Test>::get(PATIENT, INSURER).map(|g| g.expires_at),
			Some(1 + MAX_GRANT)
		);
	});
}

#[test]
fn regrant_updates_in_place() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, Some(50)));
		System::set_block_number(5);
		assert_ok!(Consent::grant(
			RuntimeOrigin::signed(PATIENT),
			CLINIC,
			scopes(&[Scope::Imaging]),
			purposes(&[Purpose::Research]),
			Some(80),
			None,
		));
		let g = Grants::<Test>::get(PATIENT, CLINIC).expect("stored");
		assert_eq!(g.scopes, scopes(&[Scope::Imaging]));
		assert_eq!(g.purposes, purposes(&[Purpose::Research]));
		assert_eq!((g.granted_at, g.expires_at), (5, 80));
		assert_eq!(GrantCount::<Test>::get(PATIENT), 1);
		// The old expiry is unqueued, the new one queued.
		assert!(!ExpiryQueue::<Test>::contains_key(50, (PATIENT, CLINIC, Expiring::Grant)));
		assert!(ExpiryQueue::<Test>::contains_key(80, (PATIENT, CLINIC, Expiring::Grant)));
		assert_eq!(QueuedExpiries::<Test>::get(), 1);
		assert!(matches!(last_event(), Event::ConsentUpdated { expires_at: 80, .. }));
		try_state();
	});
}

#[test]
fn grant_with_bad_input_fails() {
	new_test_ext().execute_with(|| {
		let o = || RuntimeOrigin::signed(PATIENT);
		let s = scopes(&[Scope::Clinical]);
		let p = purposes(&[Purpose::Treatment]);
		assert_noop!(
			Consent::grant(o(), PATIENT, s, p, None, None),
			Error::<Test>::CannotTargetSelf
		);
		assert_noop!(
			Consent::grant(o(), CLINIC, Scopes::empty(), p, None, None),
			Error::<Test>::InvalidScopes
		);
		assert_noop!(
			Consent::grant(o(), CLINIC, Scopes(1 << 12), p, None, None),
			Error::<Test>::InvalidScopes
		);
		assert_noop!(
			Consent::grant(o(), CLINIC, s, Purposes::empty(), None, None),
			Error::<Test>::InvalidPurposes
		);
		assert_noop!(
			Consent::grant(o(), CLINIC, s, Purposes(1 << 6), None, None),
			Error::<Test>::InvalidPurposes
		);
		assert_noop!(Consent::grant(o(), CLINIC, s, p, Some(1), None), Error::<Test>::ExpiryInPast);
		assert_noop!(Consent::grant(o(), CLINIC, s, p, Some(0), None), Error::<Test>::ExpiryInPast);
		assert_noop!(
			Consent::grant(o(), CLINIC, s, p, None, Some(H256::zero())),
			Error::<Test>::InvalidDigest
		);
	});
}

#[test]
fn grant_needs_a_signed_origin() {
	new_test_ext().execute_with(|| {
		let s = scopes(&[Scope::Clinical]);
		let p = purposes(&[Purpose::Treatment]);
		assert_noop!(
			Consent::grant(RuntimeOrigin::root(), CLINIC, s, p, None, None),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consent::grant(RuntimeOrigin::none(), CLINIC, s, p, None, None),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn grants_are_bounded_per_patient_but_updates_are_not_new_grants() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, None));
		assert_ok!(grant_to(INSURER, None));
		assert_ok!(grant_to(ER_HOSPITAL, None));
		assert_noop!(grant_to(STRANGER, None), Error::<Test>::TooManyGrants);
		// Updating an existing grant at the bound is fine.
		assert_ok!(grant_to(CLINIC, Some(30)));
		// After a revocation there is room again.
		assert_ok!(Consent::revoke(RuntimeOrigin::signed(PATIENT), INSURER));
		assert_ok!(grant_to(STRANGER, None));
		assert_eq!(GrantCount::<Test>::get(PATIENT), MAX_GRANTS);
		try_state();
	});
}

// ---- revoke ----

#[test]
fn revoke_removes_the_grant_in_the_same_block() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, None));
		assert_ok!(log(CLINIC, 1, Scope::Clinical, Purpose::Treatment));
		assert_ok!(Consent::revoke(RuntimeOrigin::signed(PATIENT), CLINIC));
		// Same block: the access is already refused.
		assert_noop!(
			log(CLINIC, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::ConsentMissing
		);
		assert!(!Consent::has_access(&PATIENT, &CLINIC, Scope::Clinical, Purpose::Treatment));
		assert_eq!(Grants::<Test>::get(PATIENT, CLINIC), None);
		assert_eq!(GrantCount::<Test>::get(PATIENT), 0);
		assert_eq!(QueuedExpiries::<Test>::get(), 0);
		assert_eq!(
			last_event(),
			Event::ConsentRevoked { patient: PATIENT, grantee: CLINIC, by: PATIENT }
		);
		try_state();
	});
}

#[test]
fn revoke_without_grant_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consent::revoke(RuntimeOrigin::signed(PATIENT), CLINIC),
			Error::<Test>::GrantNotFound
		);
		// A grant by another patient is not the caller's to revoke.
		assert_ok!(grant_to(CLINIC, None));
		assert_noop!(
			Consent::revoke(RuntimeOrigin::signed(OTHER_PATIENT), CLINIC),
			Error::<Test>::GrantNotFound
		);
		assert_noop!(Consent::revoke(RuntimeOrigin::root(), CLINIC), DispatchError::BadOrigin);
	});
}

// ---- guardians ----

#[test]
fn add_and_remove_guardian() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::add_guardian(RuntimeOrigin::signed(PATIENT), GUARDIAN2));
		assert_ok!(Consent::add_guardian(RuntimeOrigin::signed(PATIENT), GUARDIAN));
		assert_eq!(Guardians::<Test>::get(PATIENT).into_inner(), vec![GUARDIAN, GUARDIAN2]);
		assert_eq!(last_event(), Event::GuardianAdded { patient: PATIENT, guardian: GUARDIAN });
		assert_ok!(Consent::remove_guardian(RuntimeOrigin::signed(PATIENT), GUARDIAN2));
		assert_eq!(Guardians::<Test>::get(PATIENT).into_inner(), vec![GUARDIAN]);
		assert_eq!(last_event(), Event::GuardianRemoved { patient: PATIENT, guardian: GUARDIAN2 });
		assert_ok!(Consent::remove_guardian(RuntimeOrigin::signed(PATIENT), GUARDIAN));
		assert!(!Guardians::<Test>::contains_key(PATIENT));
		try_state();
	});
}

#[test]
fn guardian_errors() {
	new_test_ext().execute_with(|| {
		let o = || RuntimeOrigin::signed(PATIENT);
		assert_noop!(Consent::add_guardian(o(), PATIENT), Error::<Test>::CannotTargetSelf);
		assert_ok!(Consent::add_guardian(o(), GUARDIAN));
		assert_noop!(Consent::add_guardian(o(), GUARDIAN), Error::<Test>::AlreadyGuardian);
		assert_ok!(Consent::add_guardian(o(), GUARDIAN2));
		assert_noop!(Consent::add_guardian(o(), STRANGER), Error::<Test>::TooManyGuardians);
		assert_noop!(Consent::remove_guardian(o(), STRANGER), Error::<Test>::NotGuardian);
		assert_noop!(
			Consent::add_guardian(RuntimeOrigin::root(), GUARDIAN),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consent::remove_guardian(RuntimeOrigin::none(), GUARDIAN),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn guardian_grants_and_revokes_for_the_patient() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::add_guardian(RuntimeOrigin::signed(PATIENT), GUARDIAN));
		assert_ok!(Consent::grant_for(
			RuntimeOrigin::signed(GUARDIAN),
			PATIENT,
			CLINIC,
			scopes(&[Scope::Clinical]),
			purposes(&[Purpose::Treatment]),
			None,
			None,
		));
		assert_eq!(Grants::<Test>::get(PATIENT, CLINIC).map(|g| g.granted_by), Some(GUARDIAN));
		assert!(matches!(
			last_event(),
			Event::ConsentGranted { patient: PATIENT, grantee: CLINIC, by: GUARDIAN, .. }
		));
		assert_ok!(log(CLINIC, 1, Scope::Clinical, Purpose::Treatment));
		assert_ok!(Consent::revoke_for(RuntimeOrigin::signed(GUARDIAN), PATIENT, CLINIC));
		assert_eq!(
			last_event(),
			Event::ConsentRevoked { patient: PATIENT, grantee: CLINIC, by: GUARDIAN }
		);
		assert_noop!(
			log(CLINIC, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::ConsentMissing
		);
		try_state();
	});
}

#[test]
fn non_guardian_cannot_act_for_the_patient() {
	new_test_ext().execute_with(|| {
		let s = scopes(&[Scope::Clinical]);
		let p = purposes(&[Purpose::Treatment]);
		assert_noop!(
			Consent::grant_for(RuntimeOrigin::signed(STRANGER), PATIENT, CLINIC, s, p, None, None),
			Error::<Test>::NotGuardian
		);
		assert_ok!(grant_to(CLINIC, None));
		assert_noop!(
			Consent::revoke_for(RuntimeOrigin::signed(STRANGER), PATIENT, CLINIC),
			Error::<Test>::NotGuardian
		);
		// A guardian of another patient is not this patient's guardian.
		assert_ok!(Consent::add_guardian(RuntimeOrigin::signed(OTHER_PATIENT), GUARDIAN));
		assert_noop!(
			Consent::revoke_for(RuntimeOrigin::signed(GUARDIAN), PATIENT, CLINIC),
			Error::<Test>::NotGuardian
		);
		assert_noop!(
			Consent::grant_for(RuntimeOrigin::root(), PATIENT, CLINIC, s, p, None, None),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Consent::revoke_for(RuntimeOrigin::none(), PATIENT, CLINIC),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn guardian_acting_after_removal_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::add_guardian(RuntimeOrigin::signed(PATIENT), GUARDIAN));
		let s = scopes(&[Scope::Clinical]);
		let p = purposes(&[Purpose::Treatment]);
		assert_ok!(Consent::grant_for(
			RuntimeOrigin::signed(GUARDIAN),
			PATIENT,
			CLINIC,
			s,
			p,
			None,
			None
		));
		assert_ok!(Consent::remove_guardian(RuntimeOrigin::signed(PATIENT), GUARDIAN));
		assert_noop!(
			Consent::grant_for(RuntimeOrigin::signed(GUARDIAN), PATIENT, INSURER, s, p, None, None),
			Error::<Test>::NotGuardian
		);
		assert_noop!(
			Consent::revoke_for(RuntimeOrigin::signed(GUARDIAN), PATIENT, CLINIC),
			Error::<Test>::NotGuardian
		);
		// The grant it made before removal stands until the patient revokes it.
		assert!(Consent::has_access(&PATIENT, &CLINIC, Scope::Clinical, Purpose::Treatment));
	});
}

#[test]
fn guardian_grant_checks_the_same_input_rules() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::add_guardian(RuntimeOrigin::signed(PATIENT), GUARDIAN));
		assert_noop!(
			Consent::grant_for(
				RuntimeOrigin::signed(GUARDIAN),
				PATIENT,
				PATIENT,
				scopes(&[Scope::Clinical]),
				purposes(&[Purpose::Treatment]),
				None,
				None
			),
			Error::<Test>::CannotTargetSelf
		);
		assert_noop!(
			Consent::grant_for(
				RuntimeOrigin::signed(GUARDIAN),
				PATIENT,
				CLINIC,
				Scopes::empty(),
				purposes(&[Purpose::Treatment]),
				None,
				None
			),
			Error::<Test>::InvalidScopes
		);
		assert_noop!(
			Consent::revoke_for(RuntimeOrigin::signed(GUARDIAN), PATIENT, CLINIC),
			Error::<Test>::GrantNotFound
		);
	});
}

// ---- expiry ----

#[test]
fn grant_expires_at_the_exact_boundary_block() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, Some(20)));
		// Last block of access: 19 (no sweep, to check the comparison itself).
		System::set_block_number(19);
		assert_ok!(log(CLINIC, 1, Scope::Clinical, Purpose::Treatment));
		assert!(Consent::has_access(&PATIENT, &CLINIC, Scope::Clinical, Purpose::Treatment));
		System::set_block_number(20);
		assert_noop!(
			log(CLINIC, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::ConsentExpired
		);
		assert!(!Consent::has_access(&PATIENT, &CLINIC, Scope::Clinical, Purpose::Treatment));
		assert_eq!(
			Consent::decide_access(&PATIENT, &CLINIC, Scope::Clinical, Purpose::Treatment, 20),
			Err(AccessDenial::ConsentExpired)
		);
	});
}

#[test]
fn on_idle_removes_expired_grants_at_their_block() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, Some(5)));
		assert_ok!(grant_to(INSURER, Some(7)));
		run_to_block(5);
		assert!(Grants::<Test>::contains_key(PATIENT, CLINIC));
		// The end of block 5 sweeps the grant that expired at 5.
		run_to_block(6);
		assert!(!Grants::<Test>::contains_key(PATIENT, CLINIC));
		assert!(Grants::<Test>::contains_key(PATIENT, INSURER));
		assert!(events().contains(&Event::ConsentExpired { patient: PATIENT, grantee: CLINIC }));
		assert_eq!(GrantCount::<Test>::get(PATIENT), 1);
		run_to_block(8);
		assert!(!Grants::<Test>::contains_key(PATIENT, INSURER));
		assert_eq!(GrantCount::<Test>::get(PATIENT), 0);
		assert_eq!(QueuedExpiries::<Test>::get(), 0);
		assert_eq!(SweptUpTo::<Test>::get(), 7);
		// After the sweep the grant is simply missing.
		assert_noop!(
			log(CLINIC, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::ConsentMissing
		);
		try_state();
	});
}

#[test]
fn sweep_skips_a_replaced_expiry() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, Some(5)));
		assert_ok!(grant_to(CLINIC, Some(50)));
		run_to_block(10);
		assert!(Grants::<Test>::contains_key(PATIENT, CLINIC));
		assert!(!events().iter().any(|e| matches!(e, Event::ConsentExpired { .. })));
		try_state();
	});
}

#[test]
fn sweep_stops_when_idle_weight_runs_out_and_resumes() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, Some(3)));
		assert_ok!(grant_to(INSURER, Some(3)));
		assert_ok!(grant_to(ER_HOSPITAL, Some(3)));
		// Blocks 1 and 2 are swept at their end; block 3 has the three expiries.
		run_to_block(3);
		assert_eq!(SweptUpTo::<Test>::get(), 2);
		// Enough for the base, one block and exactly one entry.
		let w =
			<() as WeightInfo>::sweep_blocks(1).saturating_add(<() as WeightInfo>::expire_grant());
		let mut meter = WeightMeter::with_limit(w);
		Consent::sweep_expired(3, &mut meter);
		assert_eq!(GrantCount::<Test>::get(PATIENT), 2);
		assert_eq!(SweptUpTo::<Test>::get(), 2, "block 3 not finished");
		try_state();
		// No weight at all: nothing happens.
		let used = Consent::on_idle(3, frame_support::weights::Weight::zero());
		assert_eq!(used, frame_support::weights::Weight::zero());
		assert_eq!(GrantCount::<Test>::get(PATIENT), 2);
		// The next idle time finishes the block.
		Consent::on_idle(3, frame_support::weights::Weight::MAX);
		assert_eq!(GrantCount::<Test>::get(PATIENT), 0);
		assert_eq!(SweptUpTo::<Test>::get(), 3);
		try_state();
	});
}

#[test]
fn sweep_jumps_ahead_when_nothing_is_queued() {
	new_test_ext().execute_with(|| {
		System::set_block_number(1_000);
		Consent::on_idle(1_000, frame_support::weights::Weight::MAX);
		assert_eq!(SweptUpTo::<Test>::get(), 1_000);
	});
}

#[test]
fn sweep_work_is_bounded_by_the_idle_weight() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, Some(900)));
		System::set_block_number(800);
		// Room for the base and 10 blocks: the cursor advances exactly 10 blocks.
		let base = <() as WeightInfo>::sweep_blocks(0);
		let per_block = <() as WeightInfo>::sweep_blocks(1).saturating_sub(base);
		let limit = base.saturating_add(per_block.saturating_mul(10));
		let used = Consent::on_idle(800, limit);
		assert!(used.all_lte(limit));
		assert_eq!(SweptUpTo::<Test>::get(), 10);
	});
}

// ---- break-glass ----

#[test]
fn break_glass_opens_a_treatment_window_that_closes() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::break_glass(
			RuntimeOrigin::signed(ER_HOSPITAL),
			PATIENT,
			BreakGlassReason::PatientUnableToConsent
		));
		let expires_at = 1 + BREAK_GLASS;
		assert_eq!(
			last_event(),
			Event::BreakGlassOpened {
				id: 0,
				patient: PATIENT,
				provider: ER_HOSPITAL,
				reason: BreakGlassReason::PatientUnableToConsent,
				expires_at,
			}
		);
		assert_eq!(
			BreakGlassAccesses::<Test>::get(0),
			Some(BreakGlassAccess {
				patient: PATIENT,
				provider: ER_HOSPITAL,
				reason: BreakGlassReason::PatientUnableToConsent,
				opened_at: 1,
				expires_at,
				review: Review::Pending,
			})
		);
		assert_eq!(BreakGlassTallies::<Test>::get(ER_HOSPITAL).opened, 1);
		// Any scope, treatment only.
		assert_ok!(log_as(
			RuntimeOrigin::signed(ER_HOSPITAL),
			1,
			Scope::MentalHealth,
			Purpose::Treatment
		));
		assert!(matches!(
			last_event(),
			Event::AccessLogged { basis: AccessBasis::BreakGlass(0), .. }
		));
		assert_noop!(
			log_as(RuntimeOrigin::signed(ER_HOSPITAL), 1, Scope::Billing, Purpose::Payment),
			Error::<Test>::ConsentMissing
		);
		// Last block of the window, then closed (checked before any sweep).
		System::set_block_number(expires_at - 1);
		assert!(Consent::has_access(&PATIENT, &ER_HOSPITAL, Scope::Labs, Purpose::Treatment));
		System::set_block_number(expires_at);
		assert!(!Consent::has_access(&PATIENT, &ER_HOSPITAL, Scope::Labs, Purpose::Treatment));
		// The sweep closes it and tells the patient's wallet.
		run_to_block(expires_at + 1);
		assert!(!OpenWindows::<Test>::contains_key(PATIENT, ER_HOSPITAL));
		assert!(events().contains(&Event::BreakGlassClosed {
			id: 0,
			patient: PATIENT,
			provider: ER_HOSPITAL,
			cause: CloseCause::Expired
		}));
		// The audit fact stays.
		assert!(BreakGlassAccesses::<Test>::contains_key(0));
		try_state();
	});
}

#[test]
fn break_glass_needs_an_active_emergency_provider() {
	new_test_ext().execute_with(|| {
		let r = BreakGlassReason::PatientUnableToConsent;
		assert_noop!(
			Consent::break_glass(RuntimeOrigin::signed(CLINIC), PATIENT, r),
			Error::<Test>::NotEmergencyProvider
		);
		assert_noop!(
			Consent::break_glass(RuntimeOrigin::signed(STRANGER), PATIENT, r),
			Error::<Test>::NotEmergencyProvider
		);
		MockProviders::deactivate(ER_HOSPITAL);
		assert_noop!(
			Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r),
			Error::<Test>::NotEmergencyProvider
		);
		assert_noop!(
			Consent::break_glass(RuntimeOrigin::root(), PATIENT, r),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn break_glass_errors() {
	new_test_ext().execute_with(|| {
		let r = BreakGlassReason::Other;
		let o = || RuntimeOrigin::signed(ER_HOSPITAL);
		assert_noop!(Consent::break_glass(o(), ER_HOSPITAL, r), Error::<Test>::CannotTargetSelf);
		assert_ok!(Consent::break_glass(o(), PATIENT, r));
		assert_noop!(Consent::break_glass(o(), PATIENT, r), Error::<Test>::BreakGlassAlreadyOpen);
		// Another patient is a separate window.
		assert_ok!(Consent::break_glass(o(), OTHER_PATIENT, r));
		NextBreakGlassId::<Test>::put(u64::MAX);
		MockProviders::set(STRANGER, &[Role::Emergency]);
		assert_noop!(
			Consent::break_glass(RuntimeOrigin::signed(STRANGER), PATIENT, r),
			Error::<Test>::BreakGlassIdOverflow
		);
	});
}

#[test]
fn expired_window_not_yet_swept_can_be_reopened() {
	new_test_ext().execute_with(|| {
		let r = BreakGlassReason::Other;
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		System::set_block_number(1 + BREAK_GLASS);
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		assert_eq!(OpenWindows::<Test>::get(PATIENT, ER_HOSPITAL).map(|w| w.id), Some(1));
		assert_eq!(QueuedExpiries::<Test>::get(), 1);
		assert_eq!(BreakGlassTallies::<Test>::get(ER_HOSPITAL).opened, 2);
		try_state();
	});
}

#[test]
fn review_records_the_verdict_and_the_tally() {
	new_test_ext().execute_with(|| {
		let r = BreakGlassReason::Other;
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), OTHER_PATIENT, r));
		assert_ok!(Consent::review_break_glass(RuntimeOrigin::root(), 0, Verdict::Unjustified));
		assert_eq!(
			last_event(),
			Event::BreakGlassReviewed {
				id: 0,
				provider: ER_HOSPITAL,
				verdict: Verdict::Unjustified,
				unjustified_total: 1,
				suspended: false,
			}
		);
		assert_ok!(Consent::review_break_glass(RuntimeOrigin::root(), 1, Verdict::Justified));
		assert_eq!(
			BreakGlassTallies::<Test>::get(ER_HOSPITAL),
			BreakGlassTally { opened: 2, justified: 1, unjustified: 1 }
		);
		assert_eq!(BreakGlassAccesses::<Test>::get(0).map(|a| a.review), Some(Review::Unjustified));
		try_state();
	});
}

#[test]
fn review_errors_and_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consent::review_break_glass(RuntimeOrigin::root(), 0, Verdict::Justified),
			Error::<Test>::UnknownBreakGlass
		);
		assert_ok!(Consent::break_glass(
			RuntimeOrigin::signed(ER_HOSPITAL),
			PATIENT,
			BreakGlassReason::Other
		));
		for who in [PATIENT, ER_HOSPITAL, STRANGER] {
			assert_noop!(
				Consent::review_break_glass(RuntimeOrigin::signed(who), 0, Verdict::Justified),
				DispatchError::BadOrigin
			);
		}
		assert_ok!(Consent::review_break_glass(RuntimeOrigin::root(), 0, Verdict::Justified));
		assert_noop!(
			Consent::review_break_glass(RuntimeOrigin::root(), 0, Verdict::Unjustified),
			Error::<Test>::AlreadyReviewed
		);
	});
}

// ---- log_access ----

#[test]
fn log_access_with_consent_emits_the_audit_event() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, None));
		assert_ok!(log(CLINIC, 1, Scope::Labs, Purpose::Payment));
		assert_eq!(
			last_event(),
			Event::AccessLogged {
				patient: PATIENT,
				accessor: CLINIC,
				record_id: record_id(1),
				scope: Scope::Labs,
				purpose: Purpose::Payment,
				basis: AccessBasis::Consent,
			}
		);
	});
}

#[test]
fn log_access_denied_without_consent_wrong_scope_or_purpose() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			log(CLINIC, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::ConsentMissing
		);
		assert_ok!(grant_to(CLINIC, None));
		assert_noop!(
			log(CLINIC, 1, Scope::Genomics, Purpose::Treatment),
			Error::<Test>::ScopeNotGranted
		);
		assert_noop!(
			log(CLINIC, 1, Scope::Clinical, Purpose::Research),
			Error::<Test>::PurposeNotGranted
		);
		// A grant to the clinic is not a grant to the insurer.
		assert_noop!(
			log(INSURER, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::ConsentMissing
		);
	});
}

#[test]
fn log_access_checks_the_record() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, None));
		assert_noop!(
			log(CLINIC, 9, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::UnknownRecord
		);
		// Record 3 is OTHER_PATIENT's.
		assert_noop!(
			log(CLINIC, 3, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::RecordNotOfPatient
		);
	});
}

#[test]
fn log_access_needs_an_active_provider() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(STRANGER, None));
		assert_noop!(
			log(STRANGER, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::NotActiveProvider
		);
		assert_ok!(grant_to(CLINIC, None));
		MockProviders::deactivate(CLINIC);
		assert_noop!(
			log(CLINIC, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::NotActiveProvider
		);
		assert_noop!(
			log_as(RuntimeOrigin::root(), 1, Scope::Clinical, Purpose::Treatment),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn log_access_batch_logs_every_entry() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, None));
		assert_ok!(Consent::grant(
			RuntimeOrigin::signed(OTHER_PATIENT),
			CLINIC,
			scopes(&[Scope::Imaging]),
			purposes(&[Purpose::Operations]),
			None,
			None
		));
		let entries: BoundedVec<_, _> = vec![
			entry(PATIENT, 1, Scope::Clinical, Purpose::Treatment),
			entry(PATIENT, 2, Scope::Labs, Purpose::Payment),
			entry(OTHER_PATIENT, 3, Scope::Imaging, Purpose::Operations),
		]
		.try_into()
		.expect("within bound");
		assert_ok!(Consent::log_access_batch(RuntimeOrigin::signed(CLINIC), entries));
		let logged: Vec<_> =
			events().into_iter().filter(|e| matches!(e, Event::AccessLogged { .. })).collect();
		assert_eq!(logged.len(), 3);
		assert_eq!(
			logged[2],
			Event::AccessLogged {
				patient: OTHER_PATIENT,
				accessor: CLINIC,
				record_id: record_id(3),
				scope: Scope::Imaging,
				purpose: Purpose::Operations,
				basis: AccessBasis::Consent,
			}
		);
	});
}

#[test]
fn log_access_batch_is_all_or_nothing_and_names_the_entry() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, None));
		let entries: BoundedVec<_, _> = vec![
			entry(PATIENT, 1, Scope::Clinical, Purpose::Treatment),
			entry(PATIENT, 2, Scope::Labs, Purpose::Treatment),
			entry(PATIENT, 4, Scope::Genomics, Purpose::Treatment),
		]
		.try_into()
		.expect("within bound");
		assert_noop!(
			Consent::log_access_batch(RuntimeOrigin::signed(CLINIC), entries),
			Error::<Test>::BatchEntryDenied { index: 2, reason: AccessDenial::ScopeNotGranted }
		);
		let unknown: BoundedVec<_, _> =
			vec![entry(PATIENT, 9, Scope::Clinical, Purpose::Treatment)].try_into().expect("ok");
		assert_noop!(
			Consent::log_access_batch(RuntimeOrigin::signed(CLINIC), unknown),
			Error::<Test>::BatchEntryDenied { index: 0, reason: AccessDenial::UnknownRecord }
		);
	});
}

#[test]
fn log_access_batch_errors_and_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consent::log_access_batch(RuntimeOrigin::signed(CLINIC), BoundedVec::new()),
			Error::<Test>::EmptyBatch
		);
		let one: BoundedVec<_, _> =
			vec![entry(PATIENT, 1, Scope::Clinical, Purpose::Treatment)].try_into().expect("ok");
		assert_noop!(
			Consent::log_access_batch(RuntimeOrigin::signed(STRANGER), one.clone()),
			Error::<Test>::NotActiveProvider
		);
		assert_noop!(
			Consent::log_access_batch(RuntimeOrigin::root(), one),
			DispatchError::BadOrigin
		);
	});
}

// ---- record_disclosures ----

/// A disclosure of `record` of `patient` to `recipient` for `purpose`, checked at `checked_at`.
fn disclosure(
	recipient: u64,
	patient: u64,
	record: u8,
	purpose: Purpose,
	checked_at: u64,
) -> DisclosureEntry<u64, u64> {
	DisclosureEntry { recipient, patient, record_id: record_id(record), purpose, checked_at }
}

fn disclose(discloser: u64, entries: Vec<DisclosureEntry<u64, u64>>) -> DispatchResult {
	Consent::record_disclosures(
		RuntimeOrigin::signed(discloser),
		entries.try_into().expect("within bound"),
	)
}

fn disclosed() -> Vec<Event<Test>> {
	events().into_iter().filter(|e| matches!(e, Event::RecordDisclosed { .. })).collect()
}

#[test]
fn the_custodian_records_each_disclosure_with_the_verdict_at_the_recording_block() {
	new_test_ext().execute_with(|| {
		run_to_block(5);
		assert_ok!(grant_to(CLINIC, None));
		assert_ok!(Consent::break_glass(
			RuntimeOrigin::signed(ER_HOSPITAL),
			PATIENT,
			BreakGlassReason::PatientUnableToConsent
		));
		MockRecords::set_scope(record_id(2), Scope::Labs);
		assert_ok!(disclose(
			CLINIC,
			vec![
				// Covered by the patient's grant (record 2 is the hospital's, disclosed by the
				// clinic that holds a copy: whoever discloses records it).
				disclosure(INSURER, PATIENT, 1, Purpose::Payment, 4),
				disclosure(ER_HOSPITAL, PATIENT, 2, Purpose::Treatment, 5),
			]
		));
		assert_ok!(disclose(
			ER_HOSPITAL,
			vec![disclosure(CLINIC, PATIENT, 2, Purpose::Treatment, 5)]
		));
		let got = disclosed();
		assert_eq!(got.len(), 3);
		assert_eq!(
			got[0],
			Event::RecordDisclosed {
				discloser: CLINIC,
				recipient: INSURER,
				patient: PATIENT,
				record_id: record_id(1),
				scope: Scope::Clinical,
				purpose: Purpose::Payment,
				checked_at: 4,
				// The insurer holds no grant: recorded all the same, with the reason.
				verdict: Err(AccessDenial::ConsentMissing),
			}
		);
		assert_eq!(
			got[1],
			Event::RecordDisclosed {
				discloser: CLINIC,
				recipient: ER_HOSPITAL,
				patient: PATIENT,
				record_id: record_id(2),
				scope: Scope::Labs,
				purpose: Purpose::Treatment,
				checked_at: 5,
				verdict: Ok(AccessBasis::BreakGlass(0)),
			}
		);
		assert!(matches!(
			got[2],
			Event::RecordDisclosed { verdict: Ok(AccessBasis::Consent), recipient: CLINIC, .. }
		));
	});
}

#[test]
fn a_disclosure_after_the_revocation_is_still_recorded_with_the_reason() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, None));
		run_to_block(3);
		assert_ok!(Consent::revoke(RuntimeOrigin::signed(PATIENT), CLINIC));
		// Released at block 2 (checked then), recorded at block 3 after the revocation.
		assert_ok!(disclose(
			ER_HOSPITAL,
			vec![disclosure(CLINIC, PATIENT, 1, Purpose::Treatment, 2)]
		));
		assert!(matches!(
			last_event(),
			Event::RecordDisclosed {
				checked_at: 2,
				verdict: Err(AccessDenial::ConsentMissing),
				..
			}
		));
		MockRecords::retract(record_id(4));
		assert_ok!(disclose(
			ER_HOSPITAL,
			vec![disclosure(CLINIC, PATIENT, 4, Purpose::Treatment, 3)]
		));
		assert!(matches!(
			last_event(),
			Event::RecordDisclosed { verdict: Err(AccessDenial::RecordRetracted), .. }
		));
	});
}

#[test]
fn a_wrong_disclosure_entry_records_nothing_and_is_named() {
	new_test_ext().execute_with(|| {
		run_to_block(5);
		let ok = disclosure(CLINIC, PATIENT, 1, Purpose::Treatment, 5);
		for (bad, fault) in [
			(disclosure(CLINIC, PATIENT, 9, Purpose::Treatment, 5), DisclosureFault::UnknownRecord),
			(
				disclosure(CLINIC, OTHER_PATIENT, 1, Purpose::Treatment, 5),
				DisclosureFault::RecordNotOfPatient,
			),
			(
				disclosure(CLINIC, PATIENT, 1, Purpose::Treatment, 6),
				DisclosureFault::CheckedInFuture,
			),
			(
				disclosure(ER_HOSPITAL, PATIENT, 1, Purpose::Treatment, 5),
				DisclosureFault::RecipientIsDiscloser,
			),
		] {
			assert_noop!(
				disclose(ER_HOSPITAL, vec![ok.clone(), bad]),
				Error::<Test>::InvalidDisclosure { index: 1, fault }
			);
		}
		assert_noop!(disclose(ER_HOSPITAL, vec![]), Error::<Test>::EmptyBatch);
		assert_noop!(disclose(STRANGER, vec![ok.clone()]), Error::<Test>::NotActiveProvider);
		MockProviders::deactivate(ER_HOSPITAL);
		assert_noop!(disclose(ER_HOSPITAL, vec![ok.clone()]), Error::<Test>::NotActiveProvider);
		assert_noop!(
			Consent::record_disclosures(
				RuntimeOrigin::root(),
				vec![ok].try_into().expect("within bound")
			),
			DispatchError::BadOrigin
		);
		assert!(disclosed().is_empty());
	});
}

#[test]
fn disclosure_error_fits_the_module_error_size() {
	use codec::Encode;
	let e = Error::<Test>::InvalidDisclosure {
		index: u16::MAX,
		fault: DisclosureFault::RecipientIsDiscloser,
	};
	assert!(e.encode().len() <= frame_support::MAX_MODULE_ERROR_ENCODED_SIZE);
}

#[test]
fn batch_error_fits_the_module_error_size() {
	use codec::Encode;
	let e = Error::<Test>::BatchEntryDenied {
		index: u16::MAX,
		reason: AccessDenial::RecordNotOfPatient,
	};
	assert!(e.encode().len() <= frame_support::MAX_MODULE_ERROR_ENCODED_SIZE);
}

// ---- queries and the trait ----

#[test]
fn consent_check_trait_and_queries() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::grant(
			RuntimeOrigin::signed(PATIENT),
			INSURER,
			scopes(&[Scope::Billing]),
			purposes(&[Purpose::Payment]),
			None,
			None
		));
		assert_ok!(grant_to(CLINIC, None));
		assert!(<Consent as ConsentCheck<u64>>::has_access(
			&PATIENT,
			&INSURER,
			Scope::Billing,
			Purpose::Payment
		));
		assert!(!<Consent as ConsentCheck<u64>>::has_access(
			&PATIENT,
			&INSURER,
			Scope::Clinical,
			Purpose::Payment
		));
		let mut grants: Vec<u64> =
			Consent::grants_of(&PATIENT).into_iter().map(|(g, _)| g).collect();
		grants.sort();
		assert_eq!(grants, vec![CLINIC, INSURER]);
		assert!(Consent::grants_of(&OTHER_PATIENT).is_empty());
	});
}

#[test]
fn expired_grant_does_not_hide_an_open_break_glass_window() {
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(ER_HOSPITAL, Some(3)));
		System::set_block_number(3);
		assert_eq!(
			Consent::decide_access(&PATIENT, &ER_HOSPITAL, Scope::Clinical, Purpose::Treatment, 3),
			Err(AccessDenial::ConsentExpired)
		);
		assert_ok!(Consent::break_glass(
			RuntimeOrigin::signed(ER_HOSPITAL),
			PATIENT,
			BreakGlassReason::PatientUnableToConsent
		));
		assert_eq!(
			Consent::decide_access(&PATIENT, &ER_HOSPITAL, Scope::Clinical, Purpose::Treatment, 3),
			Ok(AccessBasis::BreakGlass(0))
		);
		// A live grant takes precedence as the basis.
		assert_ok!(grant_to(ER_HOSPITAL, None));
		assert_eq!(
			Consent::decide_access(&PATIENT, &ER_HOSPITAL, Scope::Clinical, Purpose::Treatment, 3),
			Ok(AccessBasis::Consent)
		);
		try_state();
	});
}

// ---- security review (issue 13) ----

#[test]
fn an_insurer_with_a_billing_grant_cannot_log_access_to_a_mental_health_record() {
	// Finding 1: the scope was the caller's word. The insurer named Billing for a
	// MentalHealth note and its access was logged with basis Consent.
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::grant(
			RuntimeOrigin::signed(PATIENT),
			INSURER,
			scopes(&[Scope::Billing]),
			purposes(&[Purpose::Payment]),
			None,
			None
		));
		MockRecords::set_scope(record_id(1), Scope::MentalHealth);
		assert_noop!(
			Consent::log_access(
				RuntimeOrigin::signed(INSURER),
				PATIENT,
				record_id(1),
				Purpose::Payment
			),
			Error::<Test>::ScopeNotGranted
		);
		assert_eq!(
			Consent::decide_record_access(&INSURER, &record_id(1), Purpose::Payment, 1),
			Err(AccessDenial::ScopeNotGranted)
		);
		assert!(!<Consent as ConsentCheck<u64>>::may_access_record(
			&INSURER,
			&record_id(1),
			Purpose::Payment
		));
		// A billing record of the same patient is covered, and the event names its scope.
		MockRecords::set_scope(record_id(2), Scope::Billing);
		assert_ok!(Consent::log_access(
			RuntimeOrigin::signed(INSURER),
			PATIENT,
			record_id(2),
			Purpose::Payment
		));
		assert!(matches!(
			last_event(),
			Event::AccessLogged { scope: Scope::Billing, basis: AccessBasis::Consent, .. }
		));
	});
}

#[test]
fn a_suspended_emergency_provider_inside_its_window_is_denied_by_every_check() {
	// Finding 9: the runtime API answered "allowed, basis breakGlass" for a suspended
	// provider while log_access refused it.
	new_test_ext().execute_with(|| {
		assert_ok!(Consent::break_glass(
			RuntimeOrigin::signed(ER_HOSPITAL),
			PATIENT,
			BreakGlassReason::PatientUnableToConsent
		));
		assert_eq!(
			Consent::access_basis(&PATIENT, &ER_HOSPITAL, Scope::Clinical, Purpose::Treatment),
			Ok(AccessBasis::BreakGlass(0))
		);
		MockProviders::deactivate(ER_HOSPITAL);
		assert_eq!(
			Consent::access_basis(&PATIENT, &ER_HOSPITAL, Scope::Clinical, Purpose::Treatment),
			Err(AccessDenial::NotActiveProvider)
		);
		assert!(!Consent::has_access(&PATIENT, &ER_HOSPITAL, Scope::Clinical, Purpose::Treatment));
		assert_eq!(
			Consent::decide_record_access(&ER_HOSPITAL, &record_id(1), Purpose::Treatment, 1),
			Err(AccessDenial::NotActiveProvider)
		);
		assert_noop!(
			log(ER_HOSPITAL, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::NotActiveProvider
		);
		// Still active but without the Emergency role: the window gives nothing either.
		MockProviders::set(ER_HOSPITAL, &[Role::Hospital]);
		assert_eq!(
			Consent::access_basis(&PATIENT, &ER_HOSPITAL, Scope::Clinical, Purpose::Treatment),
			Err(AccessDenial::ConsentMissing)
		);
	});
}

#[test]
fn access_to_a_retracted_record_is_refused() {
	// Finding 9: an erasure request retracts the record; logging (and so disclosing) it
	// afterwards is refused with its own error.
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, None));
		assert_ok!(log(CLINIC, 1, Scope::Clinical, Purpose::Treatment));
		MockRecords::retract(record_id(1));
		assert_noop!(
			log(CLINIC, 1, Scope::Clinical, Purpose::Treatment),
			Error::<Test>::RecordRetracted
		);
		let one: BoundedVec<_, _> =
			vec![entry(PATIENT, 1, Scope::Clinical, Purpose::Treatment)].try_into().expect("ok");
		assert_noop!(
			Consent::log_access_batch(RuntimeOrigin::signed(CLINIC), one),
			Error::<Test>::BatchEntryDenied { index: 0, reason: AccessDenial::RecordRetracted }
		);
	});
}

#[test]
fn three_thousand_same_block_expiries_are_swept_in_one_block_with_a_cursor() {
	// Finding 3: the sweep restarted the prefix after each deletion. Every entry is swept,
	// each charged once, and nothing is left queued.
	new_test_ext().execute_with(|| {
		let n: u64 = 3_000;
		for i in 0..n {
			assert_ok!(Consent::grant(
				RuntimeOrigin::signed(1_000 + i),
				CLINIC,
				scopes(&[Scope::Clinical]),
				purposes(&[Purpose::Treatment]),
				Some(5),
				None
			));
		}
		assert_eq!(QueuedExpiries::<Test>::get(), n as u32);
		SweptUpTo::<Test>::put(4);
		System::set_block_number(5);
		let mut meter = WeightMeter::new();
		Consent::sweep_expired(5, &mut meter);
		assert_eq!(QueuedExpiries::<Test>::get(), 0);
		assert_eq!(Grants::<Test>::iter().count(), 0);
		let per_entry =
			<() as WeightInfo>::expire_grant().max(<() as WeightInfo>::close_break_glass());
		let expected =
			<() as WeightInfo>::sweep_blocks(1).saturating_add(per_entry.saturating_mul(n));
		assert_eq!(meter.consumed(), expected);
		let expired =
			events().into_iter().filter(|e| matches!(e, Event::ConsentExpired { .. })).count();
		assert_eq!(expired as u64, n);
		try_state();
	});
}

#[test]
fn a_cursor_resumes_after_the_entry_just_removed() {
	new_test_ext().execute_with(|| {
		for i in 0..4u64 {
			assert_ok!(Consent::grant(
				RuntimeOrigin::signed(1_000 + i),
				CLINIC,
				scopes(&[Scope::Clinical]),
				purposes(&[Purpose::Treatment]),
				Some(5),
				None
			));
		}
		let first = Consent::next_expiring(5, None).expect("an entry");
		let raw = ExpiryQueue::<Test>::hashed_key_for(5, first);
		let second = Consent::next_expiring(5, Some(raw.clone())).expect("a second entry");
		assert_ne!(first, second);
		Consent::expire(5, first);
		// Still the second after the first is gone.
		assert_eq!(Consent::next_expiring(5, Some(raw)), Some(second));
	});
}

#[test]
fn break_glass_is_rate_limited_per_provider_and_period() {
	new_test_ext().execute_with(|| {
		let r = BreakGlassReason::Other;
		for p in 0..MAX_BREAK_GLASS as u64 {
			assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), 500 + p, r));
		}
		assert_noop!(
			Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r),
			Error::<Test>::BreakGlassRateLimited
		);
		// The next period starts from zero.
		System::set_block_number(BREAK_GLASS_PERIOD);
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		assert_eq!(BreakGlassUsage::<Test>::get(ER_HOSPITAL).opened, 1);
	});
}

#[test]
fn the_patient_a_guardian_or_governance_can_close_a_window() {
	new_test_ext().execute_with(|| {
		let r = BreakGlassReason::Other;
		assert_ok!(Consent::add_guardian(RuntimeOrigin::signed(PATIENT), GUARDIAN));
		// The patient.
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		assert_noop!(
			Consent::close_break_glass(RuntimeOrigin::signed(STRANGER), PATIENT, ER_HOSPITAL),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_noop!(
			Consent::close_break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, ER_HOSPITAL),
			Error::<Test>::NotPatientOrGuardian
		);
		assert_ok!(Consent::close_break_glass(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			ER_HOSPITAL
		));
		assert_eq!(
			last_event(),
			Event::BreakGlassClosed {
				id: 0,
				patient: PATIENT,
				provider: ER_HOSPITAL,
				cause: CloseCause::Patient
			}
		);
		assert!(!Consent::has_access(&PATIENT, &ER_HOSPITAL, Scope::Clinical, Purpose::Treatment));
		// The audit fact says when the window really closed.
		assert_eq!(BreakGlassAccesses::<Test>::get(0).map(|a| a.expires_at), Some(1));
		assert_noop!(
			Consent::close_break_glass(RuntimeOrigin::signed(PATIENT), PATIENT, ER_HOSPITAL),
			Error::<Test>::NoOpenWindow
		);
		// A guardian.
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		assert_ok!(Consent::close_break_glass(
			RuntimeOrigin::signed(GUARDIAN),
			PATIENT,
			ER_HOSPITAL
		));
		assert!(matches!(
			last_event(),
			Event::BreakGlassClosed { cause: CloseCause::Guardian, .. }
		));
		// Governance.
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		assert_ok!(Consent::close_break_glass(RuntimeOrigin::root(), PATIENT, ER_HOSPITAL));
		assert!(matches!(
			last_event(),
			Event::BreakGlassClosed { cause: CloseCause::Governance, .. }
		));
		// The accesses stay on record for review.
		assert_eq!(BreakGlassAccesses::<Test>::iter().count(), 3);
		try_state();
	});
}

#[test]
fn an_unjustified_verdict_closes_the_window_and_repeated_ones_suspend_the_provider() {
	new_test_ext().execute_with(|| {
		let r = BreakGlassReason::Other;
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		assert_ok!(Consent::review_break_glass(RuntimeOrigin::root(), 0, Verdict::Unjustified));
		assert!(!OpenWindows::<Test>::contains_key(PATIENT, ER_HOSPITAL));
		assert!(events().contains(&Event::BreakGlassClosed {
			id: 0,
			patient: PATIENT,
			provider: ER_HOSPITAL,
			cause: CloseCause::Unjustified
		}));
		assert!(MockDiscipline::suspended().is_empty());
		// The second unjustified verdict (UNJUSTIFIED_LIMIT = 2) suspends the organisation.
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), OTHER_PATIENT, r));
		assert_ok!(Consent::review_break_glass(RuntimeOrigin::root(), 1, Verdict::Unjustified));
		assert_eq!(
			last_event(),
			Event::BreakGlassReviewed {
				id: 1,
				provider: ER_HOSPITAL,
				verdict: Verdict::Unjustified,
				unjustified_total: 2,
				suspended: true,
			}
		);
		assert_eq!(MockDiscipline::suspended(), vec![ER_HOSPITAL]);
		assert_noop!(
			Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r),
			Error::<Test>::NotEmergencyProvider
		);
		try_state();
	});
}

#[test]
fn a_reinstated_provider_is_suspended_again_by_its_next_unjustified_verdict() {
	// Finding 6: the limit counts every unjustified verdict, not only those before a
	// suspension; governance reinstating the organisation does not reset it.
	new_test_ext().execute_with(|| {
		let r = BreakGlassReason::Other;
		for (id, patient) in [(0, PATIENT), (1, OTHER_PATIENT)] {
			assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), patient, r));
			assert_ok!(Consent::review_break_glass(
				RuntimeOrigin::root(),
				id,
				Verdict::Unjustified
			));
		}
		assert_eq!(MockDiscipline::suspended(), vec![ER_HOSPITAL]);
		// Governance reinstates it (the registry makes it active again).
		MockProviders::set(ER_HOSPITAL, &[Role::Hospital, Role::Emergency]);
		System::set_block_number(1 + BREAK_GLASS_PERIOD);
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		assert_ok!(Consent::review_break_glass(RuntimeOrigin::root(), 2, Verdict::Unjustified));
		assert_eq!(
			last_event(),
			Event::BreakGlassReviewed {
				id: 2,
				provider: ER_HOSPITAL,
				verdict: Verdict::Unjustified,
				unjustified_total: 3,
				suspended: true,
			}
		);
		assert_eq!(MockDiscipline::suspended(), vec![ER_HOSPITAL, ER_HOSPITAL]);
		try_state();
	});
}

#[test]
fn replacing_an_unswept_expired_window_emits_its_close_event() {
	// Finding 6: the old window vanished without a `BreakGlassClosed`.
	new_test_ext().execute_with(|| {
		let r = BreakGlassReason::Other;
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		// Past the window's end, no sweep has run.
		System::set_block_number(1 + BREAK_GLASS);
		assert_ok!(Consent::break_glass(RuntimeOrigin::signed(ER_HOSPITAL), PATIENT, r));
		assert!(events().contains(&Event::BreakGlassClosed {
			id: 0,
			patient: PATIENT,
			provider: ER_HOSPITAL,
			cause: CloseCause::Expired
		}));
		assert_eq!(OpenWindows::<Test>::get(PATIENT, ER_HOSPITAL).map(|w| w.id), Some(1));
		try_state();
	});
}

#[test]
fn a_full_patient_can_grant_again_once_a_grant_has_expired() {
	// Finding 10: expired grants occupied MaxGrantsPerPatient until the sweep reached them.
	new_test_ext().execute_with(|| {
		assert_ok!(grant_to(CLINIC, Some(3)));
		assert_ok!(grant_to(INSURER, None));
		assert_ok!(grant_to(ER_HOSPITAL, None));
		assert_noop!(grant_to(STRANGER, None), Error::<Test>::TooManyGrants);
		System::set_block_number(3);
		// No sweep ran; the expired grant to the clinic is evicted.
		assert_ok!(grant_to(STRANGER, None));
		assert!(!Grants::<Test>::contains_key(PATIENT, CLINIC));
		assert!(events().contains(&Event::ConsentExpired { patient: PATIENT, grantee: CLINIC }));
		assert_eq!(GrantCount::<Test>::get(PATIENT), MAX_GRANTS);
		// Only live grants: still refused.
		assert_noop!(grant_to(GUARDIAN, None), Error::<Test>::TooManyGrants);
		try_state();
	});
}

// ---- patient calls: fee-less (authorized general transactions) and relayed ----

mod patient_calls {
	use super::*;
	use frame_support::{
		pallet_prelude::{InvalidTransaction, TransactionSource, TransactionValidityError},
		traits::Authorize,
	};
	use sp_runtime::testing::TestSignature;

	type Action = PatientAction<u64, u64>;

	fn payload(signer: u64, nonce: u32, action: Action) -> PatientPayload<u64, u64> {
		PatientPayload { signer, nonce, valid_until: System::block_number() + 10, action }
	}

	fn message(p: &PatientPayload<u64, u64>) -> Vec<u8> {
		patient_payload_message(System::block_hash(0).as_ref(), p)
	}

	/// The call with `p` signed by its signer's key.
	fn signed(p: PatientPayload<u64, u64>) -> Call<Test> {
		let signature = TestSignature(p.signer, message(&p));
		Call::patient_call { payload: p, signature }
	}

	fn grant_action(grantee: u64) -> Action {
		Action::Grant {
			grantee,
			scopes: scopes(&[Scope::Clinical]),
			purposes: purposes(&[Purpose::Treatment]),
			expires_at: None,
			consent_digest: None,
		}
	}

	fn authorize(
		call: &Call<Test>,
		source: TransactionSource,
	) -> Result<(), TransactionValidityError> {
		call.authorize(source).expect("patient_call is authorizable").map(|_| ())
	}

	/// What the block does with a fee-less call: authorize it (in block), then dispatch it
	/// with the `Authorized` origin.
	fn include_feeless(call: Call<Test>) -> Result<(), TransactionValidityError> {
		authorize(&call, TransactionSource::InBlock)?;
		let Call::patient_call { payload, signature } = call else { unreachable!() };
		Consent::patient_call(frame_system::RawOrigin::Authorized.into(), payload, signature)
			.expect("an authorized patient call dispatches");
		Ok(())
	}

	fn refused(code: u8) -> Result<(), TransactionValidityError> {
		Err(InvalidTransaction::Custom(code).into())
	}

	fn executed(
		signer: u64,
		nonce: u32,
		relayer: Option<u64>,
		result: DispatchResult,
	) -> Event<Test> {
		Event::PatientCallExecuted { signer, nonce, relayer, result }
	}

	#[test]
	fn a_patient_without_any_account_grants_and_revokes_fee_less() {
		new_test_ext().execute_with(|| {
			assert_eq!(System::account(PATIENT).providers, 0, "the patient has no account");
			assert_ok!(include_feeless(signed(payload(PATIENT, 0, grant_action(CLINIC)))));
			assert!(Consent::has_access(&PATIENT, &CLINIC, Scope::Clinical, Purpose::Treatment));
			assert_eq!(last_event(), executed(PATIENT, 0, None, Ok(())));
			assert_eq!(PatientNonces::<Test>::get(PATIENT), 1);
			assert_eq!(Consent::feeless_use(&PATIENT, 1).used, 1);

			assert_ok!(include_feeless(signed(payload(
				PATIENT,
				1,
				Action::Revoke { grantee: CLINIC }
			))));
			assert!(!Consent::has_access(&PATIENT, &CLINIC, Scope::Clinical, Purpose::Treatment));
			assert!(events().contains(&Event::ConsentRevoked {
				patient: PATIENT,
				grantee: CLINIC,
				by: PATIENT
			}));
			assert_eq!(Consent::feeless_use(&PATIENT, 1).used, 1, "withdrawals are not counted");
			assert_eq!(System::account(PATIENT).providers, 0, "still no account");
		});
	}

	#[test]
	fn forged_replayed_expired_and_overlong_payloads_are_refused() {
		new_test_ext().execute_with(|| {
			let p = payload(PATIENT, 0, grant_action(CLINIC));
			// Someone else's key, or the right key over other bytes.
			let forged = Call::patient_call {
				payload: p.clone(),
				signature: TestSignature(STRANGER, message(&p)),
			};
			assert_eq!(
				authorize(&forged, TransactionSource::External),
				Err(InvalidTransaction::BadProof.into())
			);
			let mut other = p.clone();
			other.action = grant_action(INSURER);
			let tampered = Call::patient_call {
				payload: other,
				signature: TestSignature(PATIENT, message(&p)),
			};
			assert_eq!(
				authorize(&tampered, TransactionSource::External),
				Err(InvalidTransaction::BadProof.into())
			);

			// Used once, refused after.
			assert_ok!(include_feeless(signed(p.clone())));
			assert_eq!(
				authorize(&signed(p.clone()), TransactionSource::External),
				Err(InvalidTransaction::Stale.into())
			);

			// Expired: valid through `valid_until`, refused after it.
			let mut late = payload(PATIENT, 1, grant_action(INSURER));
			late.valid_until = 5;
			System::set_block_number(5);
			assert_ok!(authorize(&signed(late.clone()), TransactionSource::External));
			System::set_block_number(6);
			assert_eq!(
				authorize(&signed(late.clone()), TransactionSource::External),
				refused(feeless_refusal::PAYLOAD_EXPIRED)
			);

			let mut overlong = payload(PATIENT, 1, grant_action(INSURER));
			overlong.valid_until = 6 + MAX_PAYLOAD_LIFETIME + 1;
			assert_eq!(
				authorize(&signed(overlong), TransactionSource::External),
				refused(feeless_refusal::PAYLOAD_LIFETIME_TOO_LONG)
			);
		});
	}

	#[test]
	fn a_payload_signed_as_browser_wallets_sign_raw_bytes_is_accepted() {
		new_test_ext().execute_with(|| {
			let p = payload(PATIENT, 0, grant_action(CLINIC));
			let mut wrapped = b"<Bytes>".to_vec();
			wrapped.extend(message(&p));
			wrapped.extend_from_slice(b"</Bytes>");
			let call =
				Call::patient_call { payload: p, signature: TestSignature(PATIENT, wrapped) };
			assert_ok!(include_feeless(call));
			assert!(Consent::has_access(&PATIENT, &CLINIC, Scope::Clinical, Purpose::Treatment));
		});
	}

	#[test]
	fn later_nonces_wait_in_the_pool_but_not_in_a_block() {
		new_test_ext().execute_with(|| {
			let ahead = signed(payload(PATIENT, 1, grant_action(CLINIC)));
			let validity = ahead
				.authorize(TransactionSource::External)
				.expect("authorizable")
				.expect("a later nonce waits in the pool");
			assert_eq!(validity.0.requires.len(), 1, "it requires the previous nonce");
			assert_eq!(
				authorize(&ahead, TransactionSource::InBlock),
				Err(InvalidTransaction::Future.into())
			);
		});
	}

	#[test]
	fn the_quota_refuses_the_next_operation_but_never_a_revocation() {
		new_test_ext().execute_with(|| {
			for n in 0..FEELESS_QUOTA {
				assert_ok!(include_feeless(signed(payload(
					PATIENT,
					n,
					grant_action(100 + u64::from(n))
				))));
				System::set_block_number(System::block_number() + 1);
			}
			let next = signed(payload(PATIENT, FEELESS_QUOTA, grant_action(CLINIC)));
			assert_eq!(
				authorize(&next, TransactionSource::External),
				refused(feeless_refusal::QUOTA_EXHAUSTED)
			);
			// A guardian addition counts like a grant.
			let guardian =
				signed(payload(PATIENT, FEELESS_QUOTA, Action::AddGuardian { guardian: GUARDIAN }));
			assert_eq!(
				authorize(&guardian, TransactionSource::External),
				refused(feeless_refusal::QUOTA_EXHAUSTED)
			);
			// Revoking is never harder than granting.
			assert_ok!(include_feeless(signed(payload(
				PATIENT,
				FEELESS_QUOTA,
				Action::Revoke { grantee: 100 }
			))));
			assert!(Grants::<Test>::get(PATIENT, 100).is_none());
			// The relayed path has no quota: any account that pays may submit for the patient.
			assert_ok!(Consent::patient_call(
				RuntimeOrigin::signed(STRANGER),
				payload(PATIENT, FEELESS_QUOTA + 1, grant_action(CLINIC)),
				TestSignature(
					PATIENT,
					message(&payload(PATIENT, FEELESS_QUOTA + 1, grant_action(CLINIC)))
				),
			));
			assert!(Consent::has_access(&PATIENT, &CLINIC, Scope::Clinical, Purpose::Treatment));
			// The next period starts afresh.
			System::set_block_number(FEELESS_PERIOD);
			assert_ok!(authorize(
				&signed(payload(PATIENT, FEELESS_QUOTA + 2, grant_action(INSURER))),
				TransactionSource::External
			));
		});
	}

	#[test]
	fn fee_less_work_is_capped_per_block_and_withdrawals_have_their_own_allowance() {
		new_test_ext().execute_with(|| {
			// Each signer grants once: the block admits MAX_FEELESS_PER_BLOCK of them.
			for s in 0..MAX_FEELESS_PER_BLOCK {
				assert_ok!(include_feeless(signed(payload(
					200 + u64::from(s),
					0,
					grant_action(CLINIC)
				))));
			}
			let one_more = signed(payload(300, 0, grant_action(CLINIC)));
			assert_eq!(
				authorize(&one_more, TransactionSource::InBlock),
				Err(InvalidTransaction::ExhaustsResources.into())
			);
			// A full block of grants does not stop revocations.
			for s in 0..MAX_FEELESS_WITHDRAWALS {
				assert_ok!(include_feeless(signed(payload(
					200 + u64::from(s),
					1,
					Action::Revoke { grantee: CLINIC }
				))));
			}
			let revoke_more = signed(payload(202, 1, Action::Revoke { grantee: CLINIC }));
			assert_eq!(
				authorize(&revoke_more, TransactionSource::InBlock),
				Err(InvalidTransaction::ExhaustsResources.into())
			);
			// The next block has room again.
			System::set_block_number(2);
			assert_ok!(include_feeless(one_more));
			assert_ok!(include_feeless(revoke_more));
		});
	}

	#[test]
	fn withdrawing_nothing_is_refused_before_inclusion() {
		new_test_ext().execute_with(|| {
			for action in [
				Action::Revoke { grantee: CLINIC },
				Action::RemoveGuardian { guardian: GUARDIAN },
				Action::RevokeFor { patient: OTHER_PATIENT, grantee: CLINIC },
				Action::CloseBreakGlass { patient: PATIENT, provider: ER_HOSPITAL },
			] {
				assert_eq!(
					authorize(&signed(payload(PATIENT, 0, action)), TransactionSource::External),
					refused(feeless_refusal::NOTHING_TO_WITHDRAW)
				);
			}
		});
	}

	#[test]
	fn guardians_act_for_wards_and_patients_close_break_glass_fee_less() {
		new_test_ext().execute_with(|| {
			assert_ok!(include_feeless(signed(payload(
				PATIENT,
				0,
				Action::AddGuardian { guardian: GUARDIAN }
			))));
			assert_ok!(include_feeless(signed(payload(
				GUARDIAN,
				0,
				Action::GrantFor {
					patient: PATIENT,
					grantee: CLINIC,
					scopes: scopes(&[Scope::Labs]),
					purposes: purposes(&[Purpose::Treatment]),
					expires_at: Some(50),
					consent_digest: None,
				}
			))));
			assert_eq!(Grants::<Test>::get(PATIENT, CLINIC).map(|g| g.granted_by), Some(GUARDIAN));
			assert_ok!(include_feeless(signed(payload(
				GUARDIAN,
				1,
				Action::RevokeFor { patient: PATIENT, grantee: CLINIC }
			))));
			assert!(Grants::<Test>::get(PATIENT, CLINIC).is_none());

			assert_ok!(Consent::break_glass(
				RuntimeOrigin::signed(ER_HOSPITAL),
				PATIENT,
				BreakGlassReason::PatientUnableToConsent
			));
			assert_ok!(include_feeless(signed(payload(
				PATIENT,
				1,
				Action::CloseBreakGlass { patient: PATIENT, provider: ER_HOSPITAL }
			))));
			assert!(events().contains(&Event::BreakGlassClosed {
				id: 0,
				patient: PATIENT,
				provider: ER_HOSPITAL,
				cause: CloseCause::Patient
			}));
			// Two withdrawals fill a test block: the next one goes in the next block.
			System::set_block_number(2);
			assert_ok!(include_feeless(signed(payload(
				PATIENT,
				2,
				Action::RemoveGuardian { guardian: GUARDIAN }
			))));
			assert!(Guardians::<Test>::get(PATIENT).is_empty());
		});
	}

	#[test]
	fn a_grant_that_evicts_nothing_is_refunded_the_eviction_search() {
		new_test_ext().execute_with(|| {
			use frame_support::{traits::Get, weights::Weight};
			let p = payload(PATIENT, 0, grant_action(CLINIC));
			let charged = Consent::patient_call_weight(&p.action);
			let Call::patient_call { payload, signature } = signed(p) else { unreachable!() };
			let post = Consent::patient_call(
				frame_system::RawOrigin::Authorized.into(),
				payload,
				signature,
			)
			.expect("dispatches");
			let expected = <() as WeightInfo>::patient_call_overhead()
				.saturating_add(
					<<Test as frame_system::Config>::DbWeight as Get<
						frame_support::weights::RuntimeDbWeight,
					>>::get()
					.reads_writes(2, 2),
				)
				.saturating_add(<() as WeightInfo>::grant());
			assert_eq!(post.actual_weight, Some(expected));
			assert!(expected.all_lt(charged));
			let _: Weight = expected;
		});
	}

	#[test]
	fn a_failed_action_still_uses_the_nonce_and_the_quota() {
		new_test_ext().execute_with(|| {
			assert_ok!(include_feeless(signed(payload(PATIENT, 0, grant_action(PATIENT)))));
			assert_eq!(
				last_event(),
				executed(PATIENT, 0, None, Err(Error::<Test>::CannotTargetSelf.into()))
			);
			assert_eq!(PatientNonces::<Test>::get(PATIENT), 1);
			assert_eq!(Consent::feeless_use(&PATIENT, 1).used, 1);
			assert_eq!(GrantCount::<Test>::get(PATIENT), 0, "the action's writes rolled back");
		});
	}

	#[test]
	fn relayed_calls_check_the_payload_and_name_the_relayer() {
		new_test_ext().execute_with(|| {
			let p = payload(PATIENT, 0, grant_action(CLINIC));
			assert_noop!(
				Consent::patient_call(
					RuntimeOrigin::signed(STRANGER),
					p.clone(),
					TestSignature(STRANGER, message(&p))
				),
				Error::<Test>::BadPayloadSignature
			);
			assert_noop!(
				Consent::patient_call(
					RuntimeOrigin::signed(STRANGER),
					payload(PATIENT, 1, grant_action(CLINIC)),
					TestSignature(PATIENT, message(&payload(PATIENT, 1, grant_action(CLINIC))))
				),
				Error::<Test>::PayloadNonceTooHigh
			);
			assert_ok!(Consent::patient_call(
				RuntimeOrigin::signed(STRANGER),
				p.clone(),
				TestSignature(PATIENT, message(&p))
			));
			assert_eq!(last_event(), executed(PATIENT, 0, Some(STRANGER), Ok(())));
			assert_eq!(Consent::feeless_use(&PATIENT, 1).used, 0, "relayed calls use no quota");
			assert_noop!(
				Consent::patient_call(
					RuntimeOrigin::signed(STRANGER),
					p.clone(),
					TestSignature(PATIENT, message(&p))
				),
				Error::<Test>::PayloadNonceUsed
			);
			let mut late = payload(PATIENT, 1, grant_action(INSURER));
			late.valid_until = 1;
			System::set_block_number(2);
			assert_noop!(
				Consent::patient_call(
					RuntimeOrigin::signed(STRANGER),
					late.clone(),
					TestSignature(PATIENT, message(&late))
				),
				Error::<Test>::PayloadExpired
			);
			// Neither an unsigned nor a root origin runs a patient call.
			assert_noop!(
				Consent::patient_call(
					RuntimeOrigin::none(),
					p.clone(),
					TestSignature(PATIENT, message(&p))
				),
				DispatchError::BadOrigin
			);
		});
	}
}
