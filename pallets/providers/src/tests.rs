//! Tests of the providers pallet: every call's success and errors, origins, deposits, and the
//! credential expiry at the exact block.

use crate::{mock::*, *};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, Hooks},
};
use healthchain_primitives::{ProviderDiscipline, ProviderRegistry, Role, Roles};
use sp_core::H256;
use sp_runtime::DispatchError;

fn hospital_roles() -> Roles {
	Roles::from_items(&[Role::Hospital, Role::Emergency])
}

fn cred(n: u8) -> H256 {
	H256::repeat_byte(n)
}

fn register(who: u64, expires_at: u64) -> frame_support::dispatch::DispatchResult {
	ProvidersModule::register(RuntimeOrigin::signed(who), hospital_roles(), cred(1), expires_at)
}

fn held(who: u64) -> u64 {
	Balances::balance_on_hold(&HoldReason::ProviderDeposit.into(), &who)
}

fn last_event() -> RuntimeEvent {
	System::events().pop().expect("an event").event
}

fn status(who: u64) -> Option<ProviderStatus> {
	Providers::<Test>::get(who).map(|p| p.status)
}

fn run_to(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		ProvidersModule::on_initialize(next);
	}
}

fn try_state() {
	ProvidersModule::do_try_state().expect("invariants hold");
}

// ---- genesis ----

#[test]
fn genesis_provider_is_active_without_deposit() {
	new_test_ext().execute_with(|| {
		assert_eq!(status(GENESIS_LAB), Some(ProviderStatus::Active));
		assert!(<ProvidersModule as ProviderRegistry<u64>>::is_active(&GENESIS_LAB, Role::Lab));
		assert!(!<ProvidersModule as ProviderRegistry<u64>>::is_active(
			&GENESIS_LAB,
			Role::Insurer
		));
		assert_eq!(held(GENESIS_LAB), 0);
		try_state();
	});
}

// ---- register ----

#[test]
fn register_holds_deposit_and_is_pending() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		let p = Providers::<Test>::get(HOSPITAL).expect("registered");
		assert_eq!(p.status, ProviderStatus::Pending);
		assert_eq!(p.roles, hospital_roles());
		assert_eq!(p.credential_digest, cred(1));
		assert_eq!(p.credential_expires_at, 200);
		assert_eq!(p.deposit, DEPOSIT);
		assert_eq!(held(HOSPITAL), DEPOSIT);
		assert_eq!(Balances::free_balance(HOSPITAL), 1_000 - DEPOSIT);
		assert_eq!(Expiries::<Test>::get(200).into_inner(), vec![HOSPITAL]);
		// Pending is not active.
		assert!(ProvidersModule::active_roles(&HOSPITAL).is_empty());
		assert_eq!(
			last_event(),
			RuntimeEvent::ProvidersModule(Event::Registered {
				who: HOSPITAL,
				roles: hospital_roles(),
				credential_expires_at: 200,
			})
		);
		try_state();
	});
}

#[test]
fn register_twice_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		assert_noop!(register(HOSPITAL, 300), Error::<Test>::AlreadyRegistered);
	});
}

#[test]
fn register_with_empty_or_unknown_roles_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ProvidersModule::register(
				RuntimeOrigin::signed(HOSPITAL),
				Roles::empty(),
				cred(1),
				200
			),
			Error::<Test>::InvalidRoles
		);
		assert_noop!(
			ProvidersModule::register(
				RuntimeOrigin::signed(HOSPITAL),
				Roles(1 << 12),
				cred(1),
				200
			),
			Error::<Test>::InvalidRoles
		);
	});
}

#[test]
fn register_with_expiry_now_or_past_fails() {
	new_test_ext().execute_with(|| {
		System::set_block_number(10);
		assert_noop!(register(HOSPITAL, 10), Error::<Test>::CredentialExpiryInPast);
		assert_noop!(register(HOSPITAL, 5), Error::<Test>::CredentialExpiryInPast);
	});
}

#[test]
fn register_with_expiry_too_far_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			register(HOSPITAL, 1 + MAX_DURATION + 1),
			Error::<Test>::CredentialExpiryTooFar
		);
		assert_ok!(register(HOSPITAL, 1 + MAX_DURATION));
	});
}

#[test]
fn register_without_funds_for_deposit_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(register(POOR, 200), Error::<Test>::InsufficientDeposit);
	});
}

#[test]
fn register_when_expiry_bucket_is_full_fails() {
	new_test_ext().execute_with(|| {
		for who in [HOSPITAL, INSURER, OTHER] {
			assert_ok!(register(who, 300));
		}
		assert_eq!(Expiries::<Test>::get(300).len() as u32, MAX_EXPIRIES);
		assert_noop!(register(GENESIS_LAB + 100, 300), Error::<Test>::TooManyExpiriesAtBlock);
	});
}

#[test]
fn register_unsigned_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ProvidersModule::register(RuntimeOrigin::none(), hospital_roles(), cred(1), 200),
			DispatchError::BadOrigin
		);
	});
}

// ---- approve / reject ----

#[test]
fn approve_makes_pending_active() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		assert_ok!(ProvidersModule::approve(RuntimeOrigin::root(), HOSPITAL));
		assert_eq!(status(HOSPITAL), Some(ProviderStatus::Active));
		assert_eq!(ProvidersModule::active_roles(&HOSPITAL), hospital_roles());
		assert_eq!(last_event(), RuntimeEvent::ProvidersModule(Event::Approved { who: HOSPITAL }));
	});
}

#[test]
fn approve_by_non_governance_fails() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		assert_noop!(
			ProvidersModule::approve(RuntimeOrigin::signed(OTHER), HOSPITAL),
			DispatchError::BadOrigin
		);
		// Not even the organisation itself.
		assert_noop!(
			ProvidersModule::approve(RuntimeOrigin::signed(HOSPITAL), HOSPITAL),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn approve_unknown_or_non_pending_fails() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ProvidersModule::approve(RuntimeOrigin::root(), OTHER),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			ProvidersModule::approve(RuntimeOrigin::root(), GENESIS_LAB),
			Error::<Test>::NotPending
		);
	});
}

#[test]
fn reject_removes_and_releases_deposit() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		assert_ok!(ProvidersModule::reject(RuntimeOrigin::root(), HOSPITAL));
		assert_eq!(status(HOSPITAL), None);
		assert_eq!(held(HOSPITAL), 0);
		assert_eq!(Balances::free_balance(HOSPITAL), 1_000);
		assert!(Expiries::<Test>::get(200).is_empty());
		assert_eq!(last_event(), RuntimeEvent::ProvidersModule(Event::Rejected { who: HOSPITAL }));
		// It may apply again.
		assert_ok!(register(HOSPITAL, 200));
		try_state();
	});
}

#[test]
fn reject_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ProvidersModule::reject(RuntimeOrigin::root(), OTHER),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			ProvidersModule::reject(RuntimeOrigin::root(), GENESIS_LAB),
			Error::<Test>::NotPending
		);
		assert_ok!(register(HOSPITAL, 200));
		assert_noop!(
			ProvidersModule::reject(RuntimeOrigin::signed(OTHER), HOSPITAL),
			DispatchError::BadOrigin
		);
	});
}

// ---- suspend / reinstate / revoke ----

#[test]
fn suspend_and_reinstate() {
	new_test_ext().execute_with(|| {
		assert_ok!(ProvidersModule::suspend(RuntimeOrigin::root(), GENESIS_LAB));
		assert_eq!(status(GENESIS_LAB), Some(ProviderStatus::Suspended));
		assert!(ProvidersModule::active_roles(&GENESIS_LAB).is_empty());
		assert_eq!(
			last_event(),
			RuntimeEvent::ProvidersModule(Event::Suspended { who: GENESIS_LAB })
		);
		assert_ok!(ProvidersModule::reinstate(RuntimeOrigin::root(), GENESIS_LAB));
		assert_eq!(status(GENESIS_LAB), Some(ProviderStatus::Active));
		assert_eq!(ProvidersModule::active_roles(&GENESIS_LAB), Roles::from(Role::Lab));
		assert_eq!(
			last_event(),
			RuntimeEvent::ProvidersModule(Event::Reinstated { who: GENESIS_LAB })
		);
	});
}

#[test]
fn suspend_and_reinstate_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ProvidersModule::suspend(RuntimeOrigin::root(), OTHER),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			ProvidersModule::suspend(RuntimeOrigin::signed(OTHER), GENESIS_LAB),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ProvidersModule::reinstate(RuntimeOrigin::root(), GENESIS_LAB),
			Error::<Test>::NotSuspended
		);
		assert_ok!(register(HOSPITAL, 200));
		assert_noop!(
			ProvidersModule::suspend(RuntimeOrigin::root(), HOSPITAL),
			Error::<Test>::NotActive
		);
		assert_noop!(
			ProvidersModule::reinstate(RuntimeOrigin::signed(OTHER), GENESIS_LAB),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ProvidersModule::reinstate(RuntimeOrigin::root(), OTHER),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn revoke_from_any_state_and_only_once() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		assert_ok!(ProvidersModule::revoke(RuntimeOrigin::root(), HOSPITAL)); // from Pending
		assert_ok!(ProvidersModule::suspend(RuntimeOrigin::root(), GENESIS_LAB));
		assert_ok!(ProvidersModule::revoke(RuntimeOrigin::root(), GENESIS_LAB)); // from Suspended
		assert_eq!(
			last_event(),
			RuntimeEvent::ProvidersModule(Event::Revoked { who: GENESIS_LAB })
		);
		assert_eq!(status(HOSPITAL), Some(ProviderStatus::Revoked));
		assert!(ProvidersModule::active_roles(&GENESIS_LAB).is_empty());
		assert_noop!(
			ProvidersModule::revoke(RuntimeOrigin::root(), HOSPITAL),
			Error::<Test>::AlreadyRevoked
		);
		assert_noop!(
			ProvidersModule::revoke(RuntimeOrigin::root(), OTHER),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			ProvidersModule::revoke(RuntimeOrigin::signed(OTHER), HOSPITAL),
			DispatchError::BadOrigin
		);
		// A revoked organisation cannot be reinstated or approved.
		assert_noop!(
			ProvidersModule::reinstate(RuntimeOrigin::root(), HOSPITAL),
			Error::<Test>::NotSuspended
		);
		assert_noop!(
			ProvidersModule::approve(RuntimeOrigin::root(), HOSPITAL),
			Error::<Test>::NotPending
		);
		// Revocation is terminal: the deposit stays held.
		assert_eq!(held(HOSPITAL), DEPOSIT);
	});
}

#[test]
fn revoked_organisation_cannot_deregister_or_register_again() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		assert_ok!(ProvidersModule::approve(RuntimeOrigin::root(), HOSPITAL));
		assert_ok!(ProvidersModule::revoke(RuntimeOrigin::root(), HOSPITAL));
		// It cannot leave with its deposit and come back with a clean slate.
		assert_noop!(
			ProvidersModule::deregister(RuntimeOrigin::signed(HOSPITAL)),
			Error::<Test>::RevokedCannotDeregister
		);
		assert_eq!(status(HOSPITAL), Some(ProviderStatus::Revoked));
		assert_eq!(held(HOSPITAL), DEPOSIT);
		assert_eq!(Balances::free_balance(HOSPITAL), 1_000 - DEPOSIT);
		assert_noop!(register(HOSPITAL, 300), Error::<Test>::AlreadyRegistered);
		// Even with no open obligations, and however long it waits.
		run_to(250);
		assert_noop!(
			ProvidersModule::deregister(RuntimeOrigin::signed(HOSPITAL)),
			Error::<Test>::RevokedCannotDeregister
		);
		assert_noop!(register(HOSPITAL, 300), Error::<Test>::AlreadyRegistered);
		try_state();
	});
}

// ---- discipline by other pallets ----

#[test]
fn suspend_for_cause_suspends_an_active_organisation() {
	new_test_ext().execute_with(|| {
		assert!(<ProvidersModule as ProviderDiscipline<u64>>::suspend_for_cause(&GENESIS_LAB));
		assert_eq!(status(GENESIS_LAB), Some(ProviderStatus::Suspended));
		assert!(ProvidersModule::active_roles(&GENESIS_LAB).is_empty());
		assert_eq!(
			last_event(),
			RuntimeEvent::ProvidersModule(Event::SuspendedForCause { who: GENESIS_LAB })
		);
		// Governance may reinstate it.
		assert_ok!(ProvidersModule::reinstate(RuntimeOrigin::root(), GENESIS_LAB));
		assert_eq!(ProvidersModule::active_roles(&GENESIS_LAB), Roles::from(Role::Lab));
		try_state();
	});
}

#[test]
fn suspend_for_cause_of_a_lapsed_but_active_organisation_suspends_it() {
	new_test_ext().execute_with(|| {
		run_to(500);
		assert!(ProvidersModule::active_roles(&GENESIS_LAB).is_empty());
		assert!(<ProvidersModule as ProviderDiscipline<u64>>::suspend_for_cause(&GENESIS_LAB));
		// Renewing the credential does not lift the suspension.
		assert_ok!(ProvidersModule::renew_credential(
			RuntimeOrigin::signed(GENESIS_LAB),
			cred(9),
			900
		));
		assert_eq!(status(GENESIS_LAB), Some(ProviderStatus::Suspended));
		assert!(ProvidersModule::active_roles(&GENESIS_LAB).is_empty());
	});
}

#[test]
fn suspend_for_cause_of_a_non_active_organisation_does_nothing() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200)); // Pending
		assert_ok!(register(INSURER, 200));
		assert_ok!(ProvidersModule::approve(RuntimeOrigin::root(), INSURER));
		assert_ok!(ProvidersModule::suspend(RuntimeOrigin::root(), INSURER)); // Suspended
		assert_ok!(ProvidersModule::revoke(RuntimeOrigin::root(), GENESIS_LAB)); // Revoked
		System::reset_events();
		for who in [HOSPITAL, INSURER, GENESIS_LAB, OTHER] {
			let before = Providers::<Test>::get(who);
			assert!(!<ProvidersModule as ProviderDiscipline<u64>>::suspend_for_cause(&who));
			assert_eq!(Providers::<Test>::get(who), before);
		}
		assert!(System::events().is_empty());
	});
}

// ---- renew / expiry ----

#[test]
fn credential_expiry_is_exact_and_emits_event() {
	new_test_ext().execute_with(|| {
		run_to(499);
		assert!(ProvidersModule::is_active(&GENESIS_LAB, Role::Lab));
		run_to(500);
		assert!(!ProvidersModule::is_active(&GENESIS_LAB, Role::Lab));
		assert_eq!(
			last_event(),
			RuntimeEvent::ProvidersModule(Event::CredentialExpired { who: GENESIS_LAB })
		);
		assert!(Expiries::<Test>::get(500).is_empty());
		// Still registered (and Active in status): it becomes active again by renewing.
		assert_eq!(status(GENESIS_LAB), Some(ProviderStatus::Active));
		assert_ok!(ProvidersModule::renew_credential(
			RuntimeOrigin::signed(GENESIS_LAB),
			cred(9),
			900
		));
		assert!(ProvidersModule::is_active(&GENESIS_LAB, Role::Lab));
		try_state();
	});
}

#[test]
fn renew_moves_expiry_and_updates_digest() {
	new_test_ext().execute_with(|| {
		assert_ok!(ProvidersModule::renew_credential(
			RuntimeOrigin::signed(GENESIS_LAB),
			cred(7),
			800
		));
		let p = Providers::<Test>::get(GENESIS_LAB).expect("registered");
		assert_eq!((p.credential_digest, p.credential_expires_at), (cred(7), 800));
		assert!(Expiries::<Test>::get(500).is_empty());
		assert_eq!(Expiries::<Test>::get(800).into_inner(), vec![GENESIS_LAB]);
		assert_eq!(
			last_event(),
			RuntimeEvent::ProvidersModule(Event::CredentialRenewed {
				who: GENESIS_LAB,
				credential_expires_at: 800,
			})
		);
		// The old expiry block passes without an expiry event or loss of activity.
		System::reset_events();
		run_to(600);
		assert!(System::events().is_empty());
		assert!(ProvidersModule::is_active(&GENESIS_LAB, Role::Lab));
		// Renewing with the same expiry keeps a single bucket entry.
		assert_ok!(ProvidersModule::renew_credential(
			RuntimeOrigin::signed(GENESIS_LAB),
			cred(8),
			800
		));
		assert_eq!(Expiries::<Test>::get(800).len(), 1);
		try_state();
	});
}

#[test]
fn renew_removes_the_emptied_old_expiry_bucket() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 300));
		assert_ok!(register(INSURER, 300));
		// The genesis lab was alone at 500: its bucket is removed, not left empty.
		assert_ok!(ProvidersModule::renew_credential(
			RuntimeOrigin::signed(GENESIS_LAB),
			cred(7),
			800
		));
		assert!(!Expiries::<Test>::contains_key(123_456));
		// A shared bucket keeps the others.
		assert_ok!(ProvidersModule::renew_credential(
			RuntimeOrigin::signed(HOSPITAL),
			cred(7),
			800
		));
		assert_eq!(Expiries::<Test>::get(300).into_inner(), vec![INSURER]);
		assert_ok!(ProvidersModule::renew_credential(RuntimeOrigin::signed(INSURER), cred(7), 800));
		assert!(!Expiries::<Test>::contains_key(300));
		assert_eq!(Expiries::<Test>::get(800).into_inner(), vec![GENESIS_LAB, HOSPITAL, INSURER]);
		try_state();
	});
}

#[test]
fn leaving_the_registry_removes_the_emptied_expiry_bucket() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		assert_ok!(ProvidersModule::reject(RuntimeOrigin::root(), HOSPITAL));
		assert!(!Expiries::<Test>::contains_key(200));
		assert_ok!(ProvidersModule::deregister(RuntimeOrigin::signed(GENESIS_LAB)));
		assert!(!Expiries::<Test>::contains_key(123_456));
		assert_eq!(Expiries::<Test>::iter().count(), 0);
		try_state();
	});
}

#[test]
fn try_state_rejects_an_empty_expiry_bucket() {
	new_test_ext().execute_with(|| {
		try_state();
		let empty: BoundedVec<u64, frame_support::traits::ConstU32<MAX_EXPIRIES>> =
			BoundedVec::default();
		Expiries::<Test>::insert(700, empty);
		assert!(ProvidersModule::do_try_state().is_err());
	});
}

#[test]
fn renew_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ProvidersModule::renew_credential(RuntimeOrigin::signed(OTHER), cred(1), 200),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			ProvidersModule::renew_credential(RuntimeOrigin::signed(GENESIS_LAB), cred(1), 1),
			Error::<Test>::CredentialExpiryInPast
		);
		assert_noop!(
			ProvidersModule::renew_credential(
				RuntimeOrigin::signed(GENESIS_LAB),
				cred(1),
				2 + MAX_DURATION
			),
			Error::<Test>::CredentialExpiryTooFar
		);
		for who in [HOSPITAL, INSURER, OTHER] {
			assert_ok!(register(who, 300));
		}
		assert_noop!(
			ProvidersModule::renew_credential(RuntimeOrigin::signed(GENESIS_LAB), cred(1), 300),
			Error::<Test>::TooManyExpiriesAtBlock
		);
		assert_ok!(ProvidersModule::revoke(RuntimeOrigin::root(), GENESIS_LAB));
		assert_noop!(
			ProvidersModule::renew_credential(RuntimeOrigin::signed(GENESIS_LAB), cred(1), 400),
			Error::<Test>::Revoked
		);
		assert_noop!(
			ProvidersModule::renew_credential(RuntimeOrigin::none(), cred(1), 400),
			DispatchError::BadOrigin
		);
	});
}

// ---- deregister ----

#[test]
fn deregister_releases_deposit_and_removes_the_entry() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		assert_ok!(ProvidersModule::approve(RuntimeOrigin::root(), HOSPITAL));
		assert_ok!(ProvidersModule::suspend(RuntimeOrigin::root(), HOSPITAL));
		// A suspended organisation with nothing open may leave.
		assert_ok!(ProvidersModule::deregister(RuntimeOrigin::signed(HOSPITAL)));
		assert_eq!(status(HOSPITAL), None);
		assert_eq!(held(HOSPITAL), 0);
		assert_eq!(Balances::free_balance(HOSPITAL), 1_000);
		assert!(!Expiries::<Test>::contains_key(200));
		assert_eq!(
			last_event(),
			RuntimeEvent::ProvidersModule(Event::Deregistered { who: HOSPITAL })
		);
		try_state();
	});
}

#[test]
fn insurer_with_open_claims_cannot_deregister() {
	new_test_ext().execute_with(|| {
		assert_ok!(ProvidersModule::register(
			RuntimeOrigin::signed(INSURER),
			Roles::from(Role::Insurer),
			cred(2),
			200
		));
		assert_ok!(ProvidersModule::approve(RuntimeOrigin::root(), INSURER));
		// Two claims filed against it are still open.
		set_open_obligations(INSURER, 2);
		assert_noop!(
			ProvidersModule::deregister(RuntimeOrigin::signed(INSURER)),
			Error::<Test>::OpenObligations
		);
		assert_eq!(status(INSURER), Some(ProviderStatus::Active));
		assert_eq!(held(INSURER), DEPOSIT);
		// Once they are settled it may leave.
		set_open_obligations(INSURER, 0);
		assert_ok!(ProvidersModule::deregister(RuntimeOrigin::signed(INSURER)));
		assert_eq!(status(INSURER), None);
		assert_eq!(held(INSURER), 0);
		try_state();
	});
}

#[test]
fn provider_with_open_claims_cannot_deregister() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 200));
		assert_ok!(ProvidersModule::approve(RuntimeOrigin::root(), HOSPITAL));
		set_open_obligations(HOSPITAL, 1);
		assert_noop!(
			ProvidersModule::deregister(RuntimeOrigin::signed(HOSPITAL)),
			Error::<Test>::OpenObligations
		);
		// Suspension does not free it from its claims either.
		assert_ok!(ProvidersModule::suspend(RuntimeOrigin::root(), HOSPITAL));
		assert_noop!(
			ProvidersModule::deregister(RuntimeOrigin::signed(HOSPITAL)),
			Error::<Test>::OpenObligations
		);
		assert_eq!(held(HOSPITAL), DEPOSIT);
		// Another organisation's obligations are not its own.
		assert_ok!(ProvidersModule::deregister(RuntimeOrigin::signed(GENESIS_LAB)));
		try_state();
	});
}

#[test]
fn deregister_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ProvidersModule::deregister(RuntimeOrigin::signed(OTHER)),
			Error::<Test>::NotRegistered
		);
		assert_noop!(ProvidersModule::deregister(RuntimeOrigin::root()), DispatchError::BadOrigin);
	});
}

#[test]
fn expiry_processing_is_bounded_per_block() {
	new_test_ext().execute_with(|| {
		for who in [HOSPITAL, INSURER, OTHER] {
			assert_ok!(register(who, 300));
			assert_ok!(ProvidersModule::approve(RuntimeOrigin::root(), who));
		}
		System::reset_events();
		run_to(300);
		let expired: Vec<_> = System::events()
			.into_iter()
			.filter(|e| {
				matches!(e.event, RuntimeEvent::ProvidersModule(Event::CredentialExpired { .. }))
			})
			.collect();
		assert_eq!(expired.len() as u32, MAX_EXPIRIES);
		assert_eq!(
			ProvidersModule::on_initialize(301),
			<() as WeightInfo>::on_initialize_expiries(0)
		);
	});
}

// ---- Nodes and peer-level permissioning ----

use frame_support::BoundedVec;
use sp_core::{
	ed25519,
	offchain::{self as offchain, testing::TestOffchainExt, OffchainDbExt, OffchainWorkerExt},
	OpaquePeerId, Pair,
};
use std::sync::{Arc, Mutex};

/// Node `n`'s libp2p key (ed25519, seed `[n; 32]`).
fn node_key(n: u8) -> ed25519::Pair {
	ed25519::Pair::from_seed(&[n; 32])
}

/// Node `n`'s peer id: the identity multihash of its protobuf-encoded ed25519 key.
fn peer(n: u8) -> NodeId {
	let mut bytes = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
	bytes.extend_from_slice(node_key(n).public().as_ref());
	NodeId::truncate_from(bytes)
}

/// Node `n` listed by `who`, with a valid ownership proof.
fn proof(who: u64, n: u8) -> NodeProof {
	let message = node_proof_message(ProvidersModule::genesis_hash().as_ref(), &who);
	NodeProof { peer_id: peer(n), signature: node_key(n).sign(&message) }
}

/// Nodes `ns` listed by `who`, with valid proofs.
fn nodes(who: u64, ns: &[u8]) -> BoundedVec<NodeProof, frame_support::traits::ConstU32<MAX_NODES>> {
	BoundedVec::truncate_from(ns.iter().map(|n| proof(who, *n)).collect())
}

fn set_nodes(who: u64, ns: &[u8]) -> frame_support::dispatch::DispatchResult {
	ProvidersModule::set_nodes(RuntimeOrigin::signed(who), nodes(who, ns))
}

fn allowed(ns: &[u8]) -> Vec<OpaquePeerId> {
	let mut v: Vec<OpaquePeerId> = ns.iter().map(|n| OpaquePeerId(peer(*n).into_inner())).collect();
	v.sort();
	v
}

/// An approved hospital.
fn active_hospital() {
	assert_ok!(register(HOSPITAL, 100));
	assert_ok!(ProvidersModule::approve(RuntimeOrigin::root(), HOSPITAL));
}

#[test]
fn set_nodes_lists_replaces_and_clears_peer_ids() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 100));
		// Pending organisations may list nodes already (they count once active).
		assert_ok!(set_nodes(HOSPITAL, &[1, 2]));
		assert_eq!(last_event(), Event::NodesSet { who: HOSPITAL, count: 2 }.into());
		assert_eq!(NodeOwner::<Test>::get(peer(1)), Some(HOSPITAL));
		// Replacing drops the old ones.
		assert_ok!(set_nodes(HOSPITAL, &[3]));
		assert_eq!(Nodes::<Test>::get(HOSPITAL).into_inner(), vec![peer(3)]);
		assert_eq!(NodeOwner::<Test>::get(peer(1)), None);
		// Keeping one's own id is fine.
		assert_ok!(set_nodes(HOSPITAL, &[3, 4]));
		// An empty list removes them.
		assert_ok!(set_nodes(HOSPITAL, &[]));
		assert!(!Nodes::<Test>::contains_key(HOSPITAL));
		assert_eq!(NodeOwner::<Test>::iter().count(), 0);
		try_state();
	});
}

#[test]
fn set_nodes_errors() {
	new_test_ext().execute_with(|| {
		assert_noop!(set_nodes(OTHER, &[1]), Error::<Test>::NotRegistered);
		assert_ok!(set_nodes(GENESIS_LAB, &[1]));
		assert_ok!(register(HOSPITAL, 100));
		// The lab's node, even with a proof made out to the hospital, stays the lab's.
		assert_noop!(set_nodes(HOSPITAL, &[1]), Error::<Test>::NodeIdTaken);
		assert_noop!(set_nodes(HOSPITAL, &[2, 2]), Error::<Test>::DuplicateNodeId);
		let hospital = RuntimeOrigin::signed(HOSPITAL);
		let mut sha = vec![0x12, 32];
		sha.resize(34, 7);
		let mut short_key = peer(2).into_inner();
		short_key.pop();
		for bad in [vec![], vec![0x00], vec![0x00, 5, 1, 2], sha, vec![0x55, 1, 1], short_key] {
			let node = NodeProof { peer_id: NodeId::truncate_from(bad), ..proof(HOSPITAL, 2) };
			assert_noop!(
				ProvidersModule::set_nodes(hospital.clone(), BoundedVec::truncate_from(vec![node])),
				Error::<Test>::InvalidNodeId
			);
		}
		try_state();
	});
}

#[test]
fn listing_a_node_needs_a_signature_of_its_own_key_for_this_account_and_chain() {
	// Finding 4: anyone could list any peer id (e.g. a competitor's node, or one it does not
	// run), so the allow-list proved nothing about who runs which node.
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 100));
		let hospital = RuntimeOrigin::signed(HOSPITAL);
		let list = |n: NodeProof| BoundedVec::truncate_from(vec![n]);
		// Signed by another key than the node's.
		let forged = NodeProof { peer_id: peer(2), ..proof(HOSPITAL, 3) };
		assert_noop!(
			ProvidersModule::set_nodes(hospital.clone(), list(forged)),
			Error::<Test>::InvalidNodeProof
		);
		// The node's key, but made out to another account (a replayed proof).
		assert_noop!(
			ProvidersModule::set_nodes(hospital.clone(), list(proof(OTHER, 2))),
			Error::<Test>::InvalidNodeProof
		);
		// The node's key and the account, but for another chain's genesis.
		let message = node_proof_message(&[7u8; 32], &HOSPITAL);
		let other_chain = NodeProof { peer_id: peer(2), signature: node_key(2).sign(&message) };
		assert_noop!(
			ProvidersModule::set_nodes(hospital.clone(), list(other_chain)),
			Error::<Test>::InvalidNodeProof
		);
		// One bad proof rejects the whole list.
		let mixed = BoundedVec::truncate_from(vec![proof(HOSPITAL, 1), proof(OTHER, 2)]);
		assert_noop!(ProvidersModule::set_nodes(hospital, mixed), Error::<Test>::InvalidNodeProof);
		assert_ok!(set_nodes(HOSPITAL, &[1, 2]));
		try_state();
	});
}

#[test]
fn revoked_organisations_lose_their_nodes_and_cannot_list_new_ones() {
	new_test_ext().execute_with(|| {
		active_hospital();
		assert_ok!(set_nodes(HOSPITAL, &[1, 2]));
		assert_ok!(ProvidersModule::revoke(RuntimeOrigin::root(), HOSPITAL));
		assert_eq!(last_event(), Event::NodesCleared { who: HOSPITAL }.into());
		assert!(!Nodes::<Test>::contains_key(HOSPITAL));
		assert_eq!(NodeOwner::<Test>::get(peer(1)), None);
		assert_noop!(set_nodes(HOSPITAL, &[3]), Error::<Test>::Revoked);
		// Revoking an organisation without nodes emits no `NodesCleared`.
		assert_ok!(ProvidersModule::revoke(RuntimeOrigin::root(), GENESIS_LAB));
		assert_eq!(last_event(), Event::Revoked { who: GENESIS_LAB }.into());
		try_state();
	});
}

#[test]
fn governance_can_clear_an_organisations_nodes() {
	new_test_ext().execute_with(|| {
		assert_ok!(set_nodes(GENESIS_LAB, &[1, 2]));
		assert_noop!(
			ProvidersModule::force_clear_nodes(RuntimeOrigin::signed(HOSPITAL), GENESIS_LAB),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ProvidersModule::force_clear_nodes(RuntimeOrigin::root(), OTHER),
			Error::<Test>::NotRegistered
		);
		assert_ok!(ProvidersModule::force_clear_nodes(RuntimeOrigin::root(), GENESIS_LAB));
		assert_eq!(last_event(), Event::NodesCleared { who: GENESIS_LAB }.into());
		assert!(!Nodes::<Test>::contains_key(GENESIS_LAB));
		assert_eq!(NodeOwner::<Test>::iter().count(), 0);
		try_state();
	});
}

#[test]
fn leaving_the_registry_releases_the_peer_ids() {
	new_test_ext().execute_with(|| {
		assert_ok!(register(HOSPITAL, 100));
		assert_ok!(set_nodes(HOSPITAL, &[1]));
		assert_ok!(ProvidersModule::reject(RuntimeOrigin::root(), HOSPITAL));
		assert_eq!(NodeOwner::<Test>::get(peer(1)), None);
		assert_ok!(set_nodes(GENESIS_LAB, &[1]));
		assert_ok!(ProvidersModule::deregister(RuntimeOrigin::signed(GENESIS_LAB)));
		assert_eq!(NodeOwner::<Test>::iter().count(), 0);
		assert!(!Nodes::<Test>::contains_key(GENESIS_LAB));
		try_state();
	});
}

#[test]
fn set_network_permissioned_is_governance_only() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			ProvidersModule::set_network_permissioned(RuntimeOrigin::signed(GENESIS_LAB), true),
			DispatchError::BadOrigin
		);
		assert_ok!(ProvidersModule::set_network_permissioned(RuntimeOrigin::root(), true));
		assert!(NetworkPermissioned::<Test>::get());
		assert_eq!(last_event(), Event::NetworkPermissionSet { enabled: true }.into());
		assert_ok!(ProvidersModule::set_network_permissioned(RuntimeOrigin::root(), false));
		assert!(!NetworkPermissioned::<Test>::get());
	});
}

#[test]
fn permissioning_cannot_start_or_continue_with_a_validator_without_a_node() {
	// Finding 4: switching permissioning on before every validator listed its node cut the
	// unlisted validators off (and with them finality); so did a validator emptying its list.
	new_test_ext().execute_with(|| {
		active_hospital();
		set_validators(&[GENESIS_LAB, HOSPITAL]);
		assert_ok!(set_nodes(GENESIS_LAB, &[1]));
		assert_noop!(
			ProvidersModule::set_network_permissioned(RuntimeOrigin::root(), true),
			Error::<Test>::ValidatorWithoutNode
		);
		assert_ok!(set_nodes(HOSPITAL, &[2]));
		assert_ok!(ProvidersModule::set_network_permissioned(RuntimeOrigin::root(), true));
		// A validator may replace its nodes but not remove the last one while permissioned.
		assert_noop!(set_nodes(HOSPITAL, &[]), Error::<Test>::ValidatorWithoutNode);
		assert_ok!(set_nodes(HOSPITAL, &[3]));
		// A non-validator may.
		set_validators(&[GENESIS_LAB]);
		assert_ok!(set_nodes(HOSPITAL, &[]));
		// Switching off needs nothing.
		set_validators(&[GENESIS_LAB, OTHER]);
		assert_ok!(ProvidersModule::set_network_permissioned(RuntimeOrigin::root(), false));
		try_state();
	});
}

#[test]
fn allowed_nodes_are_those_of_active_organisations_and_of_session_validators() {
	new_test_ext().execute_with(|| {
		assert_ok!(set_nodes(GENESIS_LAB, &[1]));
		assert_ok!(register(HOSPITAL, 100));
		assert_ok!(set_nodes(HOSPITAL, &[2]));
		// Pending: not yet.
		assert_eq!(ProvidersModule::authorized_nodes(), allowed(&[1]));
		assert_ok!(ProvidersModule::approve(RuntimeOrigin::root(), HOSPITAL));
		assert_eq!(ProvidersModule::authorized_nodes(), allowed(&[1, 2]));
		// Suspended: out at once.
		assert_ok!(ProvidersModule::suspend(RuntimeOrigin::root(), HOSPITAL));
		assert_eq!(ProvidersModule::authorized_nodes(), allowed(&[1]));
		// ... unless it is a session validator: then its node stays (finding 4: the
		// consortium's founders all lapsed at one block and their validators were isolated).
		set_validators(&[HOSPITAL, GENESIS_LAB]);
		assert_eq!(ProvidersModule::authorized_nodes(), allowed(&[1, 2]));
		// Credential lapsed (the genesis lab's is valid until 500): a validator still counts.
		run_to(500);
		assert_eq!(ProvidersModule::authorized_nodes(), allowed(&[1, 2]));
		set_validators(&[]);
		assert!(ProvidersModule::authorized_nodes().is_empty());
	});
}

/// An offchain-worker extension that records `set_authorized_nodes` calls (the stock test
/// extension does not implement it).
#[derive(Clone)]
struct RecordingOffchain {
	inner: TestOffchainExt,
	calls: Arc<Mutex<Vec<(Vec<OpaquePeerId>, bool)>>>,
}

impl offchain::Externalities for RecordingOffchain {
	fn is_validator(&self) -> bool {
		true
	}
	fn network_state(&self) -> Result<offchain::OpaqueNetworkState, ()> {
		self.inner.network_state()
	}
	fn timestamp(&mut self) -> offchain::Timestamp {
		self.inner.timestamp()
	}
	fn sleep_until(&mut self, deadline: offchain::Timestamp) {
		self.inner.sleep_until(deadline)
	}
	fn random_seed(&mut self) -> [u8; 32] {
		self.inner.random_seed()
	}
	fn http_request_start(
		&mut self,
		method: &str,
		uri: &str,
		meta: &[u8],
	) -> Result<offchain::HttpRequestId, ()> {
		self.inner.http_request_start(method, uri, meta)
	}
	fn http_request_add_header(
		&mut self,
		id: offchain::HttpRequestId,
		name: &str,
		value: &str,
	) -> Result<(), ()> {
		self.inner.http_request_add_header(id, name, value)
	}
	fn http_request_write_body(
		&mut self,
		id: offchain::HttpRequestId,
		chunk: &[u8],
		deadline: Option<offchain::Timestamp>,
	) -> Result<(), offchain::HttpError> {
		self.inner.http_request_write_body(id, chunk, deadline)
	}
	fn http_response_wait(
		&mut self,
		ids: &[offchain::HttpRequestId],
		deadline: Option<offchain::Timestamp>,
	) -> Vec<offchain::HttpRequestStatus> {
		self.inner.http_response_wait(ids, deadline)
	}
	fn http_response_headers(&mut self, id: offchain::HttpRequestId) -> Vec<(Vec<u8>, Vec<u8>)> {
		self.inner.http_response_headers(id)
	}
	fn http_response_read_body(
		&mut self,
		id: offchain::HttpRequestId,
		buffer: &mut [u8],
		deadline: Option<offchain::Timestamp>,
	) -> Result<usize, offchain::HttpError> {
		self.inner.http_response_read_body(id, buffer, deadline)
	}
	fn set_authorized_nodes(&mut self, nodes: Vec<OpaquePeerId>, authorized_only: bool) {
		self.calls.lock().expect("lock").push((nodes, authorized_only));
	}
}

#[test]
fn offchain_worker_enforces_permissioning_only_while_switched_on_and_never_applies_an_empty_list() {
	let mut ext = new_test_ext();
	let (offchain, _state) = TestOffchainExt::new();
	let calls = Arc::new(Mutex::new(Vec::new()));
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(RecordingOffchain {
		inner: offchain,
		calls: calls.clone(),
	}));
	ext.execute_with(|| {
		assert_ok!(set_nodes(GENESIS_LAB, &[1]));
		// Off (the default): the worker leaves networking alone.
		ProvidersModule::offchain_worker(1);
		assert!(calls.lock().expect("lock").is_empty());
		// On: reserved-only with the allowed nodes, every block.
		assert_ok!(ProvidersModule::set_network_permissioned(RuntimeOrigin::root(), true));
		ProvidersModule::offchain_worker(2);
		active_hospital();
		assert_ok!(set_nodes(HOSPITAL, &[2]));
		ProvidersModule::offchain_worker(3);
		{
			let calls = calls.lock().expect("lock");
			assert_eq!(calls.len(), 2);
			assert_eq!(calls[0], (allowed(&[1]), true));
			assert_eq!(calls[1], (allowed(&[1, 2]), true));
		}
		// Nobody allowed any more (both suspended, no validators): the last list stays in
		// force instead of an empty one isolating the node.
		assert_ok!(ProvidersModule::suspend(RuntimeOrigin::root(), HOSPITAL));
		assert_ok!(ProvidersModule::suspend(RuntimeOrigin::root(), GENESIS_LAB));
		ProvidersModule::offchain_worker(4);
		assert_eq!(calls.lock().expect("lock").len(), 2);
		// Off again: reserved-only is released once, then nothing.
		assert_ok!(ProvidersModule::set_network_permissioned(RuntimeOrigin::root(), false));
		ProvidersModule::offchain_worker(5);
		ProvidersModule::offchain_worker(6);
		let calls = calls.lock().expect("lock");
		assert_eq!(calls.len(), 3);
		assert_eq!(calls[2], (vec![], false));
	});
}

#[test]
fn migration_v1_to_v2_removes_the_empty_expiry_buckets() {
	use crate::migrations::MigrateV1ToV2;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		// Version 1 left empty buckets behind.
		crate::Expiries::<Test>::insert(123_456, frame_support::BoundedVec::default());
		crate::Expiries::<Test>::insert(123_457, frame_support::BoundedVec::default());
		StorageVersion::new(1).put::<ProvidersModule>();
		assert!(ProvidersModule::do_try_state().is_err());
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert!(!crate::Expiries::<Test>::contains_key(123_456));
		assert!(!crate::Expiries::<Test>::contains_key(123_457));
		assert_eq!(ProvidersModule::on_chain_storage_version(), StorageVersion::new(2));
		ProvidersModule::do_try_state().expect("invariants hold");
	});
}
