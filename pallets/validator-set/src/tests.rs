//! Unit tests: every call's success and error paths, origins, and the session planning rules.

use crate::{mock::*, Error, Event, SessionBlocks, SessionLength, SetChanged, Validators};
use frame_support::{assert_noop, assert_ok, traits::Get};
use pallet_session::{SessionManager, ShouldEndSession};
use sp_runtime::{BuildStorage, DispatchError::BadOrigin};

type Session =
	pallet_session::PeriodicSessions<SessionLength<Test>, frame_support::traits::ConstU64<0>>;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn assert_invariants() {
	ValidatorSet::do_try_state().expect("invariants hold");
}

#[test]
fn genesis_sets_validators_and_session_length() {
	new_test_ext().execute_with(|| {
		assert_eq!(ValidatorSet::validators(), vec![V1, V2, V3]);
		assert_eq!(SessionBlocks::<Test>::get(), 10);
		assert_eq!(<SessionLength<Test> as Get<u64>>::get(), 10);
		assert_eq!(ValidatorSet::new_session_genesis(0), Some(vec![V1, V2, V3]));
		assert_eq!(ValidatorSet::new_session_genesis(1), Some(vec![V1, V2, V3]));
		assert!(!SetChanged::<Test>::get());
		assert_invariants();
	});
}

#[test]
#[should_panic(expected = "duplicate initial validator")]
fn genesis_rejects_duplicates() {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system");
	crate::GenesisConfig::<Test> { initial_validators: vec![V1, V1], session_length: 10 }
		.assimilate_storage(&mut t)
		.expect("unreachable");
}

#[test]
#[should_panic(expected = "genesis session length out of range")]
fn genesis_rejects_session_length_out_of_range() {
	let mut t = frame_system::GenesisConfig::<Test>::default().build_storage().expect("system");
	crate::GenesisConfig::<Test> { initial_validators: vec![V1], session_length: 1 }
		.assimilate_storage(&mut t)
		.expect("unreachable");
}

#[test]
fn add_validator_admits_an_active_organisation_with_keys() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::add_validator(root(), CANDIDATE));
		assert_eq!(ValidatorSet::validators(), vec![V1, V2, V3, CANDIDATE]);
		assert_eq!(last_event(), Event::ValidatorAdded { who: CANDIDATE }.into());
		assert!(SetChanged::<Test>::get());
		// The next plan includes it and announces the change once; later plans return the
		// same set without an event.
		assert_eq!(ValidatorSet::new_session(2), Some(vec![V1, V2, V3, CANDIDATE]));
		assert_eq!(last_event(), Event::SessionPlanned { session: 2, validators: 4 }.into());
		let events = System::events().len();
		assert_eq!(ValidatorSet::new_session(3), Some(vec![V1, V2, V3, CANDIDATE]));
		assert_eq!(System::events().len(), events);
		assert_invariants();
	});
}

#[test]
fn add_validator_requires_governance() {
	new_test_ext().execute_with(|| {
		assert_noop!(ValidatorSet::add_validator(RuntimeOrigin::signed(V1), CANDIDATE), BadOrigin);
		assert_noop!(ValidatorSet::add_validator(RuntimeOrigin::none(), CANDIDATE), BadOrigin);
	});
}

#[test]
fn add_validator_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(ValidatorSet::add_validator(root(), V2), Error::<Test>::AlreadyValidator);
		assert_noop!(
			ValidatorSet::add_validator(root(), STRANGER),
			Error::<Test>::NotActiveProvider
		);
		assert_noop!(ValidatorSet::add_validator(root(), NO_KEYS), Error::<Test>::NoSessionKeys);
		// Fill the set to MaxValidators (5), then one more fails.
		for who in [20, 21] {
			set_active(who, true);
			set_keys(who, true);
			assert_ok!(ValidatorSet::add_validator(root(), who));
		}
		assert_eq!(Validators::<Test>::get().len() as u32, MAX_VALIDATORS);
		assert_noop!(
			ValidatorSet::add_validator(root(), CANDIDATE),
			Error::<Test>::TooManyValidators
		);
		assert_invariants();
	});
}

#[test]
fn remove_validator_removes_and_plans() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::remove_validator(root(), V2));
		assert_eq!(ValidatorSet::validators(), vec![V1, V3]);
		assert_eq!(last_event(), Event::ValidatorRemoved { who: V2 }.into());
		assert_eq!(ValidatorSet::new_session(2), Some(vec![V1, V3]));
		assert_invariants();
	});
}

#[test]
fn remove_validator_requires_governance() {
	new_test_ext().execute_with(|| {
		assert_noop!(ValidatorSet::remove_validator(RuntimeOrigin::signed(V1), V2), BadOrigin);
	});
}

#[test]
fn remove_validator_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ValidatorSet::remove_validator(root(), CANDIDATE),
			Error::<Test>::NotValidator
		);
		assert_ok!(ValidatorSet::remove_validator(root(), V3));
		// Two left = MinAuthorities: no further removal.
		assert_noop!(ValidatorSet::remove_validator(root(), V1), Error::<Test>::TooFewValidators);
		assert_eq!(ValidatorSet::validators(), vec![V1, V2]);
		assert_invariants();
	});
}

#[test]
fn set_session_length_within_bounds() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::set_session_length(root(), MIN_SESSION));
		assert_eq!(last_event(), Event::SessionLengthSet { blocks: MIN_SESSION }.into());
		assert_ok!(ValidatorSet::set_session_length(root(), MAX_SESSION));
		assert_eq!(SessionBlocks::<Test>::get(), MAX_SESSION);
		assert_noop!(
			ValidatorSet::set_session_length(root(), MIN_SESSION - 1),
			Error::<Test>::SessionLengthOutOfRange
		);
		assert_noop!(
			ValidatorSet::set_session_length(root(), MAX_SESSION + 1),
			Error::<Test>::SessionLengthOutOfRange
		);
		assert_noop!(ValidatorSet::set_session_length(RuntimeOrigin::signed(V1), 20), BadOrigin);
		assert_invariants();
	});
}

#[test]
fn session_length_drives_periodic_sessions() {
	new_test_ext().execute_with(|| {
		assert!(Session::should_end_session(10));
		assert!(Session::should_end_session(20));
		assert!(!Session::should_end_session(11));
		assert_ok!(ValidatorSet::set_session_length(root(), 25));
		assert!(!Session::should_end_session(20));
		assert!(Session::should_end_session(25));
		assert!(Session::should_end_session(50));
	});
}

#[test]
fn inactive_organisation_is_dropped_at_the_next_plan() {
	new_test_ext().execute_with(|| {
		assert_ok!(ValidatorSet::add_validator(root(), CANDIDATE));
		assert_eq!(ValidatorSet::new_session(2), Some(vec![V1, V2, V3, CANDIDATE]));
		// The organisation's credential lapses (or it is suspended).
		set_active(V3, false);
		assert_eq!(ValidatorSet::new_session(3), Some(vec![V1, V2, CANDIDATE]));
		assert!(System::events()
			.iter()
			.any(|r| r.event == Event::ValidatorDropped { who: V3 }.into()));
		assert_eq!(ValidatorSet::validators(), vec![V1, V2, CANDIDATE]);
		// Reactivation does not re-admit: that is a governance decision.
		set_active(V3, true);
		assert_eq!(ValidatorSet::new_session(4), Some(vec![V1, V2, CANDIDATE]));
		assert_eq!(ValidatorSet::validators(), vec![V1, V2, CANDIDATE]);
		assert_invariants();
	});
}

#[test]
fn drop_is_deferred_rather_than_going_below_min_authorities() {
	new_test_ext().execute_with(|| {
		set_active(V2, false);
		set_active(V3, false);
		// Only V1 is active: dropping two would leave 1 < MinAuthorities (2).
		assert_eq!(ValidatorSet::new_session(2), Some(vec![V1, V2, V3]));
		assert_eq!(last_event(), Event::DropDeferred { session: 2, inactive: 2 }.into());
		assert_eq!(ValidatorSet::validators(), vec![V1, V2, V3]);
		// Governance admits a replacement and reactivation of one brings it back to safety:
		// V2 active again, so V3 alone is dropped (V1, V2, CANDIDATE remain).
		assert_ok!(ValidatorSet::add_validator(root(), CANDIDATE));
		set_active(V2, true);
		assert_eq!(ValidatorSet::new_session(3), Some(vec![V1, V2, CANDIDATE]));
		assert_invariants();
	});
}

#[test]
fn an_unchanged_set_is_returned_again_without_a_planned_event() {
	// Security finding 5: `None` for an unchanged set made pallet-session keep its previous
	// queue, so a validator that purged its keys and set them again stayed out for good.
	new_test_ext().execute_with(|| {
		assert_eq!(ValidatorSet::new_session(2), Some(vec![V1, V2, V3]));
		assert_eq!(ValidatorSet::new_session(3), Some(vec![V1, V2, V3]));
		assert!(System::events().is_empty());
	});
}

#[test]
fn only_active_validators_count_towards_the_minimum() {
	// Security finding 5: with V3's organisation suspended, removing V2 left "two validators"
	// of which one produces nothing.
	new_test_ext().execute_with(|| {
		set_active(V3, false);
		assert_noop!(ValidatorSet::remove_validator(root(), V2), Error::<Test>::TooFewValidators);
		// Removing the inactive one is fine: two active remain.
		assert_ok!(ValidatorSet::remove_validator(root(), V3));
		assert_eq!(ValidatorSet::validators(), vec![V1, V2]);
		assert_invariants();
	});
}

#[test]
fn a_proven_offence_takes_the_validator_out_unless_too_few_would_remain() {
	use frame_support::weights::Weight;
	use sp_staking::offence::{OffenceDetails, OnOffenceHandler};
	new_test_ext().execute_with(|| {
		// MIN_AUTHORITIES = 2 of V1..V3 plus an admitted candidate: V1's offence removes it.
		assert_ok!(ValidatorSet::add_validator(root(), CANDIDATE));
		let report = |who: u64| {
			let details = [OffenceDetails { offender: (who, ()), reporters: vec![] }];
			<ValidatorSet as OnOffenceHandler<u64, (u64, ()), Weight>>::on_offence(
				&details,
				&[sp_runtime::Perbill::zero()],
				7,
			)
		};
		report(V1);
		assert_eq!(
			last_event(),
			Event::OffenceReported { who: V1, session: 7, removed: true }.into()
		);
		assert!(!ValidatorSet::validators().contains(&V1));
		assert!(SetChanged::<Test>::get());
		// It is planned out at the next rotation.
		assert!(!ValidatorSet::plan_session(8).expect("always a set").contains(&V1));
		report(V2);
		assert_eq!(
			last_event(),
			Event::OffenceReported { who: V2, session: 7, removed: true }.into()
		);
		// Two left (V3, CANDIDATE) = MIN_AUTHORITIES: the next offence is recorded, not acted on.
		report(V3);
		assert_eq!(
			last_event(),
			Event::OffenceReported { who: V3, session: 7, removed: false }.into()
		);
		assert!(ValidatorSet::validators().contains(&V3));
		// A report about an account no longer admitted changes nothing.
		report(V1);
		assert_eq!(
			last_event(),
			Event::OffenceReported { who: V1, session: 7, removed: false }.into()
		);
		assert_invariants();
	});
}

#[test]
fn the_session_history_records_each_planned_set() {
	use pallet_session::historical::SessionManager;
	new_test_ext().execute_with(|| {
		assert_eq!(
			<ValidatorSet as SessionManager<u64, ()>>::new_session_genesis(0),
			Some(vec![(V1, ()), (V2, ()), (V3, ())])
		);
		assert_ok!(ValidatorSet::add_validator(root(), CANDIDATE));
		assert_eq!(
			<ValidatorSet as SessionManager<u64, ()>>::new_session(1),
			Some(vec![(V1, ()), (V2, ()), (V3, ()), (CANDIDATE, ())])
		);
	});
}
