//! Tests of the claims pallet: the full lifecycle with balances checked to the unit, every
//! error and origin check, duplicate digests and records, consent, records of another patient
//! or retracted, insurers without funds, deadlines and dispute windows, double settlement, and
//! the escrow invariant after every step.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::DispatchResult,
	traits::fungible::{Inspect, InspectHold},
	BoundedVec,
};
use healthchain_primitives::{Purpose, RecordId, Role, Scope};
use sp_core::H256;
use sp_runtime::DispatchError;

fn digest(n: u8) -> H256 {
	H256::repeat_byte(0xd0 ^ n)
}

fn records(ids: &[u8]) -> BoundedVec<RecordId, ConstU32Records> {
	ids.iter().map(|n| record(*n)).collect::<Vec<_>>().try_into().expect("within bound")
}

type ConstU32Records = frame_support::traits::ConstU32<MAX_RECORDS>;

/// HOSPITAL submits claim `d` for `amount` to `insurer` about PATIENT backed by `ids`.
fn submit(insurer: u64, d: u8, amount: u64, ids: &[u8]) -> DispatchResult {
	ClaimsModule::submit(
		RuntimeOrigin::signed(HOSPITAL),
		insurer,
		PATIENT,
		digest(d),
		amount,
		records(ids),
	)
}

fn escrow(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::ClaimEscrow.into(), &who)
}

fn free(who: u64) -> u64 {
	Balances::balance(&who)
}

fn status(id: ClaimId) -> ClaimStatus<u64, u64> {
	Claims::<Test>::get(id).expect("claim").status
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::ClaimsModule(e) => Some(e),
			_ => None,
		})
		.next_back()
		.expect("an event")
}

fn try_state() {
	ClaimsModule::do_try_state().expect("invariants hold");
}

fn deny(id: ClaimId) -> DispatchResult {
	ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), id, Decision::Deny(ReasonCode(96)))
}

// ---- the full lifecycle, balances to the unit ----

#[test]
fn approve_and_settle_moves_exactly_the_claimed_amount() {
	new_test_ext().execute_with(|| {
		let issuance = Balances::total_issuance();
		assert_ok!(submit(INSURER, 1, 1_250, &[1, 2]));
		assert_eq!(
			last_event(),
			Event::ClaimSubmitted {
				claim_id: 0,
				provider: HOSPITAL,
				insurer: INSURER,
				patient: PATIENT,
				amount: 1_250,
				digest: digest(1),
			}
		);
		assert_eq!(status(0), ClaimStatus::Submitted);
		try_state();

		System::set_block_number(3);
		assert_ok!(ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Approve));
		assert_eq!(
			last_event(),
			Event::ClaimApproved { claim_id: 0, insurer: INSURER, approved: 1_250, partial: false }
		);
		assert_eq!(status(0), ClaimStatus::Approved { approved: 1_250, at: 3 });
		// Escrowed: held on the insurer, not yet the provider's.
		assert_eq!(escrow(INSURER), 1_250);
		assert_eq!(free(INSURER), INSURER_FUNDS - 1_250);
		assert_eq!(free(HOSPITAL), PROVIDER_FUNDS);
		try_state();

		// Anyone may settle; the money goes to the provider only.
		assert_ok!(ClaimsModule::settle(RuntimeOrigin::signed(STRANGER), 0));
		assert_eq!(
			last_event(),
			Event::ClaimSettled { claim_id: 0, provider: HOSPITAL, paid: 1_250 }
		);
		assert_eq!(status(0), ClaimStatus::Settled { paid: 1_250, adjudicated_at: 3 });
		assert_eq!(escrow(INSURER), 0);
		assert_eq!(free(INSURER), INSURER_FUNDS - 1_250);
		assert_eq!(free(HOSPITAL), PROVIDER_FUNDS + 1_250);
		assert_eq!(free(STRANGER), PROVIDER_FUNDS);
		assert_eq!(Balances::total_issuance(), issuance);
		try_state();

		// Exactly once.
		assert_noop!(
			ClaimsModule::settle(RuntimeOrigin::signed(HOSPITAL), 0),
			Error::<Test>::AlreadySettled
		);
		// Fully paid: nothing to dispute.
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)),
			Error::<Test>::NothingToDispute
		);
	});
}

#[test]
fn partial_approval_dispute_and_resolution_pay_up_to_the_claim() {
	new_test_ext().execute_with(|| {
		let issuance = Balances::total_issuance();
		assert_ok!(submit(INSURER, 1, 1_000, &[1]));
		assert_ok!(ClaimsModule::adjudicate(
			RuntimeOrigin::signed(INSURER),
			0,
			Decision::Partial(600)
		));
		assert_eq!(
			last_event(),
			Event::ClaimApproved { claim_id: 0, insurer: INSURER, approved: 600, partial: true }
		);
		assert_eq!(escrow(INSURER), 600);
		try_state();

		// Disputing an unsettled partial pays the escrow out first.
		System::set_block_number(5);
		assert_ok!(ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)));
		assert_eq!(
			last_event(),
			Event::ClaimDisputed {
				claim_id: 0,
				provider: HOSPITAL,
				reason_digest: digest(9),
				escalated: false,
			}
		);
		assert!(System::events().iter().any(|r| r.event
			== RuntimeEvent::ClaimsModule(Event::ClaimSettled {
				claim_id: 0,
				provider: HOSPITAL,
				paid: 600
			})));
		assert_eq!(status(0), ClaimStatus::Disputed { paid: 600, reason: digest(9), at: 5 });
		assert_eq!(escrow(INSURER), 0);
		assert_eq!(free(HOSPITAL), PROVIDER_FUNDS + 600);
		try_state();

		// Governance awards at most the unpaid 400.
		assert_noop!(
			ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 401),
			Error::<Test>::AwardTooHigh
		);
		assert_ok!(ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 300));
		assert_eq!(
			last_event(),
			Event::DisputeResolved { claim_id: 0, award: 300, paid_total: 900 }
		);
		assert_eq!(status(0), ClaimStatus::Resolved { paid: 900, award: 300, at: 5 });
		assert_eq!(free(HOSPITAL), PROVIDER_FUNDS + 900);
		assert_eq!(free(INSURER), INSURER_FUNDS - 900);
		assert_eq!(Balances::total_issuance(), issuance);
		try_state();

		// Resolved is final.
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)),
			Error::<Test>::ClaimClosed
		);
		assert_noop!(
			ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 0),
			Error::<Test>::NotDisputed
		);
	});
}

#[test]
fn settled_partial_can_still_be_disputed_within_the_window() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 1_000, &[1]));
		assert_ok!(ClaimsModule::adjudicate(
			RuntimeOrigin::signed(INSURER),
			0,
			Decision::Partial(1)
		));
		assert_ok!(ClaimsModule::settle(RuntimeOrigin::signed(HOSPITAL), 0));
		System::set_block_number(1 + WINDOW - 1);
		assert_ok!(ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)));
		assert_eq!(status(0), ClaimStatus::Disputed { paid: 1, reason: digest(9), at: WINDOW });
		try_state();
	});
}

#[test]
fn denial_dispute_and_rejection() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 500, &[1]));
		assert_ok!(deny(0));
		assert_eq!(
			last_event(),
			Event::ClaimDenied { claim_id: 0, insurer: INSURER, reason: ReasonCode(96) }
		);
		assert_eq!(status(0), ClaimStatus::Denied { reason: ReasonCode(96), at: 1 });
		assert_eq!(escrow(INSURER), 0);
		assert_noop!(
			ClaimsModule::settle(RuntimeOrigin::signed(HOSPITAL), 0),
			Error::<Test>::NotApproved
		);
		assert_ok!(ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)));
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)),
			Error::<Test>::AlreadyDisputed
		);
		// Award zero: the dispute is rejected; no money moves.
		assert_ok!(ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 0));
		assert_eq!(status(0), ClaimStatus::Resolved { paid: 0, award: 0, at: 1 });
		assert_eq!(free(INSURER), INSURER_FUNDS);
		assert_eq!(free(HOSPITAL), PROVIDER_FUNDS);
		try_state();
	});
}

#[test]
fn dispute_after_the_window_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 500, &[1]));
		assert_ok!(submit(INSURER, 2, 500, &[2]));
		assert_ok!(deny(0));
		assert_ok!(ClaimsModule::adjudicate(
			RuntimeOrigin::signed(INSURER),
			1,
			Decision::Partial(100)
		));
		// The window is [decision, decision + WINDOW).
		System::set_block_number(1 + WINDOW);
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)),
			Error::<Test>::DisputeWindowClosed
		);
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 1, digest(9)),
			Error::<Test>::DisputeWindowClosed
		);
		// The partial escrow still settles after the window: no dead end.
		assert_ok!(ClaimsModule::settle(RuntimeOrigin::signed(HOSPITAL), 1));
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 1, digest(9)),
			Error::<Test>::DisputeWindowClosed
		);
		try_state();
	});
}

#[test]
fn overdue_claim_can_be_escalated_but_not_before_the_deadline() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 500, &[1]));
		System::set_block_number(1 + DEADLINE - 1);
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)),
			Error::<Test>::AdjudicationNotOverdue
		);
		System::set_block_number(1 + DEADLINE);
		assert_ok!(ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)));
		assert_eq!(
			last_event(),
			Event::ClaimDisputed {
				claim_id: 0,
				provider: HOSPITAL,
				reason_digest: digest(9),
				escalated: true,
			}
		);
		// The insurer can no longer adjudicate; governance decides.
		assert_noop!(
			ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Approve),
			Error::<Test>::NotAwaitingAdjudication
		);
		assert_ok!(ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 500));
		assert_eq!(free(HOSPITAL), PROVIDER_FUNDS + 500);
		assert_eq!(free(INSURER), INSURER_FUNDS - 500);
		try_state();
	});
}

#[test]
fn withdraw_before_adjudication_releases_the_records() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 500, &[1, 2]));
		assert_noop!(submit(INSURER, 2, 500, &[2]), Error::<Test>::RecordAlreadyClaimed);
		assert_ok!(ClaimsModule::withdraw(RuntimeOrigin::signed(HOSPITAL), 0));
		assert_eq!(last_event(), Event::ClaimWithdrawn { claim_id: 0, provider: HOSPITAL });
		assert_eq!(status(0), ClaimStatus::Withdrawn { at: 1 });
		// The records may back a new claim; the digest stays used.
		assert_noop!(submit(INSURER, 1, 500, &[1]), Error::<Test>::DuplicateClaim);
		assert_ok!(submit(INSURER, 2, 500, &[1, 2]));
		// Withdrawn is final.
		assert_noop!(
			ClaimsModule::withdraw(RuntimeOrigin::signed(HOSPITAL), 0),
			Error::<Test>::NotAwaitingAdjudication
		);
		assert_noop!(
			ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Approve),
			Error::<Test>::NotAwaitingAdjudication
		);
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)),
			Error::<Test>::ClaimClosed
		);
		try_state();
	});
}

#[test]
fn withdraw_errors_and_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ClaimsModule::withdraw(RuntimeOrigin::signed(HOSPITAL), 0),
			Error::<Test>::UnknownClaim
		);
		assert_ok!(submit(INSURER, 1, 500, &[1]));
		assert_noop!(
			ClaimsModule::withdraw(RuntimeOrigin::signed(INSURER), 0),
			Error::<Test>::NotClaimProvider
		);
		assert_noop!(ClaimsModule::withdraw(RuntimeOrigin::root(), 0), DispatchError::BadOrigin);
		assert_ok!(deny(0));
		assert_noop!(
			ClaimsModule::withdraw(RuntimeOrigin::signed(HOSPITAL), 0),
			Error::<Test>::NotAwaitingAdjudication
		);
	});
}

// ---- submit errors ----

#[test]
fn submit_needs_an_active_care_provider_and_an_active_insurer() {
	new_test_ext().execute_with(|| {
		let call = |who: u64, insurer: u64| {
			ClaimsModule::submit(
				RuntimeOrigin::signed(who),
				insurer,
				PATIENT,
				digest(1),
				100,
				records(&[1]),
			)
		};
		assert_noop!(call(STRANGER, INSURER), Error::<Test>::NotActiveProvider);
		// An insurer-only organisation cannot submit claims.
		assert_noop!(call(POOR_INSURER, INSURER), Error::<Test>::NotActiveProvider);
		assert_noop!(call(HOSPITAL, LAB), Error::<Test>::NotActiveInsurer);
		assert_noop!(call(HOSPITAL, STRANGER), Error::<Test>::NotActiveInsurer);
		MockProviders::set(HOSPITAL, &[Role::Hospital, Role::Insurer]);
		assert_noop!(call(HOSPITAL, HOSPITAL), Error::<Test>::CannotClaimFromSelf);
		MockProviders::deactivate(INSURER);
		assert_noop!(call(HOSPITAL, INSURER), Error::<Test>::NotActiveInsurer);
		MockProviders::deactivate(HOSPITAL);
		assert_noop!(call(HOSPITAL, POOR_INSURER), Error::<Test>::NotActiveProvider);
		assert_noop!(
			ClaimsModule::submit(
				RuntimeOrigin::root(),
				INSURER,
				PATIENT,
				digest(1),
				100,
				records(&[1])
			),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn submit_checks_digest_and_amount() {
	new_test_ext().execute_with(|| {
		let call = |d: H256, amount: u64| {
			ClaimsModule::submit(
				RuntimeOrigin::signed(HOSPITAL),
				INSURER,
				PATIENT,
				d,
				amount,
				records(&[1]),
			)
		};
		assert_noop!(call(H256::zero(), 100), Error::<Test>::InvalidDigest);
		assert_noop!(call(digest(1), 0), Error::<Test>::ZeroAmount);
		assert_noop!(call(digest(1), MAX_AMOUNT + 1), Error::<Test>::AmountTooLarge);
		assert_ok!(call(digest(1), MAX_AMOUNT));
	});
}

#[test]
fn duplicate_digest_is_rejected_even_for_another_insurer() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_noop!(submit(INSURER, 1, 100, &[2]), Error::<Test>::DuplicateClaim);
		assert_noop!(submit(POOR_INSURER, 1, 100, &[2]), Error::<Test>::DuplicateClaim);
	});
}

#[test]
fn submit_needs_the_patients_billing_consent_for_payment() {
	new_test_ext().execute_with(|| {
		// Missing.
		MockProviders::set(STRANGER, &[Role::Insurer]);
		assert_noop!(submit(STRANGER, 1, 100, &[1]), Error::<Test>::ConsentMissing);
		// Revoked (or expired: the consent pallet answers no either way).
		MockConsent::revoke(PATIENT, INSURER, Scope::Billing, Purpose::Payment);
		assert_noop!(submit(INSURER, 1, 100, &[1]), Error::<Test>::ConsentMissing);
		// The wrong scope or purpose does not count.
		MockConsent::grant(PATIENT, INSURER, Scope::Clinical, Purpose::Payment);
		MockConsent::grant(PATIENT, INSURER, Scope::Billing, Purpose::Treatment);
		assert_noop!(submit(INSURER, 1, 100, &[1]), Error::<Test>::ConsentMissing);
		MockConsent::grant(PATIENT, INSURER, Scope::Billing, Purpose::Payment);
		assert_ok!(submit(INSURER, 1, 100, &[1]));
	});
}

#[test]
fn submit_checks_every_record() {
	new_test_ext().execute_with(|| {
		assert_noop!(submit(INSURER, 1, 100, &[]), Error::<Test>::NoRecords);
		assert_noop!(submit(INSURER, 1, 100, &[1, 1]), Error::<Test>::DuplicateRecord);
		assert_noop!(submit(INSURER, 1, 100, &[1, 9]), Error::<Test>::UnknownRecord);
		// Record 4 was anchored by the lab.
		assert_noop!(submit(INSURER, 1, 100, &[1, 4]), Error::<Test>::RecordNotByProvider);
		// Record 5 is another patient's.
		assert_noop!(submit(INSURER, 1, 100, &[5]), Error::<Test>::RecordNotOfPatient);
		MockRecords::retract(record(2));
		assert_noop!(submit(INSURER, 1, 100, &[1, 2]), Error::<Test>::RecordRetracted);
		// A record backs one open claim per insurer; another insurer is fine.
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_noop!(submit(INSURER, 2, 100, &[1, 3]), Error::<Test>::RecordAlreadyClaimed);
		assert_ok!(submit(POOR_INSURER, 2, 10, &[1]));
		try_state();
	});
}

#[test]
fn claim_id_overflow_is_an_error() {
	new_test_ext().execute_with(|| {
		NextClaimId::<Test>::put(u64::MAX);
		assert_noop!(submit(INSURER, 1, 100, &[1]), Error::<Test>::ClaimIdOverflow);
	});
}

// ---- adjudicate errors ----

#[test]
fn only_the_claims_active_insurer_adjudicates() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Approve),
			Error::<Test>::UnknownClaim
		);
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		for who in [HOSPITAL, POOR_INSURER, PATIENT] {
			assert_noop!(
				ClaimsModule::adjudicate(RuntimeOrigin::signed(who), 0, Decision::Approve),
				Error::<Test>::NotClaimInsurer
			);
		}
		assert_noop!(
			ClaimsModule::adjudicate(RuntimeOrigin::root(), 0, Decision::Approve),
			DispatchError::BadOrigin
		);
		MockProviders::deactivate(INSURER);
		assert_noop!(
			ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Approve),
			Error::<Test>::NotActiveInsurer
		);
	});
}

#[test]
fn partial_must_be_positive_and_at_most_the_claim() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_noop!(
			ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Partial(0)),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Partial(101)),
			Error::<Test>::PartialExceedsClaim
		);
		assert_ok!(ClaimsModule::adjudicate(
			RuntimeOrigin::signed(INSURER),
			0,
			Decision::Partial(100)
		));
		assert_eq!(
			last_event(),
			Event::ClaimApproved { claim_id: 0, insurer: INSURER, approved: 100, partial: false }
		);
		// Decided once.
		assert_noop!(
			ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Approve),
			Error::<Test>::NotAwaitingAdjudication
		);
	});
}

#[test]
fn insurer_without_funds_gets_a_named_error_and_nothing_changes() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(POOR_INSURER, 1, 500, &[1]));
		assert_noop!(
			ClaimsModule::adjudicate(RuntimeOrigin::signed(POOR_INSURER), 0, Decision::Approve),
			Error::<Test>::InsurerCannotPay
		);
		// Even its whole balance cannot be escrowed (it must stay above the existential
		// deposit); a smaller partial approval works.
		assert_noop!(
			ClaimsModule::adjudicate(
				RuntimeOrigin::signed(POOR_INSURER),
				0,
				Decision::Partial(POOR_FUNDS + 1)
			),
			Error::<Test>::InsurerCannotPay
		);
		assert_eq!(status(0), ClaimStatus::Submitted);
		assert_eq!(free(POOR_INSURER), POOR_FUNDS);
		assert_ok!(ClaimsModule::adjudicate(
			RuntimeOrigin::signed(POOR_INSURER),
			0,
			Decision::Partial(40)
		));
		assert_eq!(escrow(POOR_INSURER), 40);
		try_state();
	});
}

#[test]
fn resolution_fails_cleanly_when_the_insurer_cannot_pay() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(POOR_INSURER, 1, 500, &[1]));
		assert_ok!(ClaimsModule::adjudicate(
			RuntimeOrigin::signed(POOR_INSURER),
			0,
			Decision::Deny(ReasonCode(1))
		));
		assert_ok!(ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)));
		assert_noop!(
			ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 500),
			Error::<Test>::InsurerCannotPay
		);
		// Still disputed: governance can award what the insurer can pay, or zero.
		assert!(matches!(status(0), ClaimStatus::Disputed { .. }));
		assert_ok!(ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 20));
		assert_eq!(free(HOSPITAL), PROVIDER_FUNDS + 20);
		try_state();
	});
}

// ---- settle, dispute, resolve: errors and origins ----

#[test]
fn settle_errors_and_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ClaimsModule::settle(RuntimeOrigin::signed(HOSPITAL), 7),
			Error::<Test>::UnknownClaim
		);
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_noop!(
			ClaimsModule::settle(RuntimeOrigin::signed(HOSPITAL), 0),
			Error::<Test>::NotApproved
		);
		assert_ok!(ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Approve));
		assert_noop!(ClaimsModule::settle(RuntimeOrigin::root(), 0), DispatchError::BadOrigin);
		assert_noop!(ClaimsModule::settle(RuntimeOrigin::none(), 0), DispatchError::BadOrigin);
	});
}

#[test]
fn dispute_errors_and_origin() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)),
			Error::<Test>::UnknownClaim
		);
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_ok!(deny(0));
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(INSURER), 0, digest(9)),
			Error::<Test>::NotClaimProvider
		);
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, H256::zero()),
			Error::<Test>::InvalidDigest
		);
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::root(), 0, digest(9)),
			DispatchError::BadOrigin
		);
		// A fully approved (unsettled) claim: nothing to dispute.
		assert_ok!(submit(INSURER, 2, 100, &[2]));
		assert_ok!(ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 1, Decision::Approve));
		assert_noop!(
			ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 1, digest(9)),
			Error::<Test>::NothingToDispute
		);
	});
}

#[test]
fn resolve_dispute_needs_governance_and_a_disputed_claim() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 0),
			Error::<Test>::UnknownClaim
		);
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_noop!(
			ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 0),
			Error::<Test>::NotDisputed
		);
		assert_ok!(deny(0));
		assert_ok!(ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)));
		for who in [HOSPITAL, INSURER, STRANGER] {
			assert_noop!(
				ClaimsModule::resolve_dispute(RuntimeOrigin::signed(who), 0, 10),
				DispatchError::BadOrigin
			);
		}
		assert_noop!(
			ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 101),
			Error::<Test>::AwardTooHigh
		);
	});
}

// ---- escrow across many claims, queries ----

#[test]
fn escrow_hold_tracks_every_approved_claim() {
	new_test_ext().execute_with(|| {
		let issuance = Balances::total_issuance();
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_ok!(submit(INSURER, 2, 200, &[2]));
		assert_ok!(submit(INSURER, 3, 300, &[3]));
		assert_ok!(ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Approve));
		assert_ok!(ClaimsModule::adjudicate(
			RuntimeOrigin::signed(INSURER),
			1,
			Decision::Partial(150)
		));
		assert_ok!(ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 2, Decision::Approve));
		assert_eq!(escrow(INSURER), 550);
		try_state();
		assert_ok!(ClaimsModule::settle(RuntimeOrigin::signed(HOSPITAL), 1));
		assert_eq!(escrow(INSURER), 400);
		try_state();
		assert_ok!(ClaimsModule::settle(RuntimeOrigin::signed(INSURER), 0));
		assert_ok!(ClaimsModule::settle(RuntimeOrigin::signed(INSURER), 2));
		assert_eq!(escrow(INSURER), 0);
		assert_eq!(free(HOSPITAL), PROVIDER_FUNDS + 550);
		assert_eq!(free(INSURER), INSURER_FUNDS - 550);
		assert_eq!(Balances::total_issuance(), issuance);
		try_state();
	});
}

#[test]
fn queries_return_claims_and_pages() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_ok!(submit(INSURER, 2, 200, &[2]));
		assert_ok!(submit(POOR_INSURER, 3, 30, &[3]));
		let c = ClaimsModule::claim(1).expect("claim 1");
		assert_eq!((c.id, c.amount, c.provider, c.insurer), (1, 200, HOSPITAL, INSURER));
		assert_eq!(c.records, vec![record(2)]);
		assert_eq!(ClaimsModule::claim(9), None);

		let mut all = ClaimsModule::claims_of(&HOSPITAL, None, 100);
		all.sort();
		assert_eq!(all, vec![0, 1, 2]);
		let mut insurer = ClaimsModule::claims_of(&INSURER, None, 100);
		insurer.sort();
		assert_eq!(insurer, vec![0, 1]);
		// Pages of one, in storage order, cover everything once.
		let mut seen = Vec::new();
		let mut after = None;
		loop {
			let page = ClaimsModule::claims_of(&HOSPITAL, after, 1);
			let Some(last) = page.last().copied() else { break };
			assert_eq!(page.len(), 1);
			seen.push(last);
			after = Some(last);
		}
		seen.sort();
		assert_eq!(seen, vec![0, 1, 2]);
		assert!(ClaimsModule::claims_of(&STRANGER, None, 10).is_empty());
	});
}

// ---- security review (issue 13) ----

#[test]
fn a_provider_the_patient_never_consented_to_cannot_bill_the_patients_insurer() {
	// Finding 2: any care provider could anchor a record about any account and bill that
	// patient's insurer. The lab anchored record 6 about PATIENT without any grant to it.
	new_test_ext().execute_with(|| {
		MockRecords::anchor(record(6), PATIENT, LAB);
		MockConsent::revoke(PATIENT, LAB, Scope::Clinical, Purpose::Treatment);
		assert_noop!(
			ClaimsModule::submit(
				RuntimeOrigin::signed(LAB),
				INSURER,
				PATIENT,
				digest(6),
				100,
				records(&[6])
			),
			Error::<Test>::NoCareRelationship
		);
		// The patient consents to the lab treating them: the claim is accepted.
		MockConsent::grant(PATIENT, LAB, Scope::Clinical, Purpose::Treatment);
		assert_ok!(ClaimsModule::submit(
			RuntimeOrigin::signed(LAB),
			INSURER,
			PATIENT,
			digest(6),
			100,
			records(&[6])
		));
		try_state();
	});
}

#[test]
fn the_care_relationship_must_cover_each_records_own_scope() {
	new_test_ext().execute_with(|| {
		// Record 6 is a mental-health note; the hospital's grant covers Clinical only.
		MockRecords::anchor(record(6), PATIENT, HOSPITAL);
		RecordsScope::set(record(6), Scope::MentalHealth);
		assert_noop!(submit(INSURER, 6, 100, &[1, 6]), Error::<Test>::NoCareRelationship);
		assert_ok!(submit(INSURER, 6, 100, &[1]));
	});
}

#[test]
fn an_insurer_with_open_or_disputable_claims_has_obligations() {
	use healthchain_primitives::OpenObligations;
	new_test_ext().execute_with(|| {
		let open = |who| <ClaimsModule as OpenObligations<u64>>::open_obligations(&who);
		assert_eq!(open(INSURER), 0);
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_ok!(submit(INSURER, 2, 100, &[2]));
		assert_eq!(open(INSURER), 2);
		// Approved and unsettled: still open; settled in full: closed.
		assert_ok!(ClaimsModule::adjudicate(RuntimeOrigin::signed(INSURER), 0, Decision::Approve));
		assert_eq!(open(INSURER), 2);
		assert_ok!(ClaimsModule::settle(RuntimeOrigin::signed(STRANGER), 0));
		assert_eq!(open(INSURER), 1);
		// Denied: closed, but disputable for the window.
		assert_ok!(deny(1));
		assert_eq!(OpenClaims::<Test>::get(INSURER), 0);
		assert_eq!(open(INSURER), 1);
		System::set_block_number(1 + WINDOW);
		assert_eq!(open(INSURER), 0);
		try_state();
	});
}

#[test]
fn a_provider_stays_bound_while_it_may_dispute_a_denial_or_a_partial_payment() {
	// Fuzzer finding 1 (docs/testing.md): a provider whose claim was denied could deregister
	// and then reopen the claim by disputing it, a claim party outside the registry.
	use healthchain_primitives::OpenObligations;
	new_test_ext().execute_with(|| {
		let open = |who| <ClaimsModule as OpenObligations<u64>>::open_obligations(&who);
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_eq!(open(HOSPITAL), 1);
		assert_ok!(deny(0));
		assert_eq!(OpenClaims::<Test>::get(HOSPITAL), 0);
		assert_eq!(open(HOSPITAL), 1, "the denial is disputable: the provider may reopen it");
		System::set_block_number(1 + WINDOW);
		assert_eq!(open(HOSPITAL), 0);
		// A partial payment settled: disputable by the provider for a new window.
		assert_ok!(submit(INSURER, 2, 100, &[2]));
		assert_ok!(ClaimsModule::adjudicate(
			RuntimeOrigin::signed(INSURER),
			1,
			Decision::Partial(40)
		));
		assert_ok!(ClaimsModule::settle(RuntimeOrigin::signed(STRANGER), 1));
		assert_eq!(OpenClaims::<Test>::get(HOSPITAL), 0);
		assert_eq!(open(HOSPITAL), 1);
		System::set_block_number(1 + 2 * WINDOW);
		assert_eq!(open(HOSPITAL), 0);
		try_state();
	});
}

#[test]
fn a_dispute_holds_a_bond_the_insurer_cannot_move_and_the_award_comes_from_it() {
	// Finding 7: an insurer could empty its account between the dispute and the resolution.
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 1_000, &[1]));
		assert_ok!(deny(0));
		let before = free(INSURER);
		assert_ok!(ClaimsModule::dispute(RuntimeOrigin::signed(HOSPITAL), 0, digest(9)));
		let bond_reason: RuntimeHoldReason = HoldReason::DisputeBond.into();
		assert_eq!(Balances::balance_on_hold(&bond_reason, &INSURER), 1_000);
		assert_eq!(DisputeBonds::<Test>::get(0), Some(1_000));
		assert_eq!(free(INSURER), before - 1_000);
		// The insurer moves every free unit away.
		let movable = free(INSURER) - 1;
		assert_ok!(Balances::transfer_allow_death(
			RuntimeOrigin::signed(INSURER),
			STRANGER,
			movable
		));
		let provider_before = free(HOSPITAL);
		assert_ok!(ClaimsModule::resolve_dispute(RuntimeOrigin::root(), 0, 600));
		assert_eq!(free(HOSPITAL), provider_before + 600);
		// The rest of the bond is released to the insurer.
		assert_eq!(Balances::balance_on_hold(&bond_reason, &INSURER), 0);
		assert_eq!(free(INSURER), 1 + 400);
		assert_eq!(DisputeBonds::<Test>::get(0), None);
		try_state();
	});
}

#[test]
fn the_total_billed_against_a_record_is_tracked_across_insurers() {
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 100, &[1, 2]));
		assert_ok!(submit(POOR_INSURER, 2, 30, &[1]));
		assert_eq!(RecordBilled::<Test>::get(record(1)), 130);
		assert_eq!(RecordBilled::<Test>::get(record(2)), 100);
		assert_ok!(ClaimsModule::withdraw(RuntimeOrigin::signed(HOSPITAL), 1));
		assert_eq!(RecordBilled::<Test>::get(record(1)), 100);
		assert_ok!(ClaimsModule::withdraw(RuntimeOrigin::signed(HOSPITAL), 0));
		assert!(!RecordBilled::<Test>::contains_key(record(1)));
		try_state();
	});
}

#[test]
fn migration_v1_to_v2_indexes_the_existing_claims() {
	use crate::migrations::MigrateV1ToV2;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		assert_ok!(submit(INSURER, 1, 100, &[1]));
		assert_ok!(submit(INSURER, 2, 50, &[2]));
		assert_ok!(deny(1));
		// Back to the v1 layout: none of the new indexes.
		let _ = OpenClaims::<Test>::clear(u32::MAX, None);
		let _ = DisputableUntil::<Test>::clear(u32::MAX, None);
		let _ = RecordBilled::<Test>::clear(u32::MAX, None);
		StorageVersion::new(1).put::<ClaimsModule>();
		assert!(ClaimsModule::do_try_state().is_err());

		MigrateV1ToV2::<Test>::on_runtime_upgrade();

		assert_eq!(ClaimsModule::on_chain_storage_version(), StorageVersion::new(2));
		assert_eq!(OpenClaims::<Test>::get(INSURER), 1);
		assert_eq!(DisputableUntil::<Test>::get(INSURER), Some(1 + WINDOW));
		assert_eq!(DisputableUntil::<Test>::get(HOSPITAL), Some(1 + WINDOW));
		assert_eq!(RecordBilled::<Test>::get(record(1)), 100);
		assert_eq!(RecordBilled::<Test>::get(record(2)), 50);
		try_state();
	});
}
