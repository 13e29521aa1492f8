//! End-to-end test of the consent pallet on a running dev node: real signed extrinsics
//! (`consent.grant`, `logAccess`, `revoke`, `breakGlass`, `closeBreakGlass`) and the
//! `consent_*` RPCs (answered at the finalized block). In the dev preset Alice is a hospital with
//! the Emergency role, Bob a clinic and lab, Charlie an insurer; Dave is the patient, Ferdie
//! holds no role.
//!
//! Every access is checked against the record's own scope, fixed when it was anchored: an
//! insurer holding only a Billing grant for Payment is refused a MentalHealth record, by the
//! `consent_recordAccess` RPC and by `logAccess` alike (the "tried on a dev node" scenario of the
//! security review: before, the insurer named the scope itself and the log said "consented").

mod common;

use common::{failed_with, hex, record_id, submit, wait_for_event, Node, NodeSpec, TempDir};
use healthchain_primitives::{Purpose, Purposes, Scope, Scopes};
use healthchain_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use pallet_consent::{
	AccessBasis, BreakGlassReason, CloseCause, Error as ConsentError, Event as ConsentEvent,
};
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Ferdie};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

fn has_access(node: &Node, grantee: &str, scope: &str, purpose: &str) -> Option<serde_json::Value> {
	node.rpc(
		"consent_hasAccess",
		serde_json::json!([Dave.to_account_id().to_string(), grantee, scope, purpose]),
	)
}

fn record_access(node: &Node, accessor: &str, record: H256, purpose: &str) -> serde_json::Value {
	node.rpc("consent_recordAccess", serde_json::json!([accessor, hex(record.as_bytes()), purpose]))
		.expect("consent_recordAccess answers")
}

fn log_access(record_id: H256, purpose: Purpose) -> RuntimeCall {
	RuntimeCall::Consent(pallet_consent::Call::log_access {
		patient: Dave.to_account_id(),
		record_id,
		purpose,
	})
}

fn anchor(local_id: H256, digest: u8, scope: Scope) -> RuntimeCall {
	RuntimeCall::Records(pallet_records::Call::anchor {
		local_id,
		subject: Dave.to_account_id(),
		digest: H256::repeat_byte(digest),
		kind: pallet_records::RecordKind(2),
		scope,
	})
}

/// Submit `call` as `signer` and return the dispatch error of its failure (it must fail). The
/// scan starts after the current best block, which cannot hold the new extrinsic, so an earlier
/// failure is never taken for this one.
fn submit_failing(
	node: &mut Node,
	signer: Sr25519Keyring,
	call: RuntimeCall,
	what: &str,
) -> (u64, sp_runtime::DispatchError) {
	let from = node.best_number().expect("best") + 1;
	submit(node, signer, call);
	let (block, e) = wait_for_event(node, from, TIMEOUT, what, |e| failed_with(e).is_some());
	(block, failed_with(&e).expect("a failure"))
}

/// A consent pallet error as the dispatch error of a failed extrinsic.
fn consent_error(e: ConsentError<Runtime>) -> sp_runtime::DispatchError {
	e.into()
}

fn no_access_logged(node: &Node, block: u64) -> bool {
	!common::events_at(node, block)
		.iter()
		.any(|r| matches!(r.event, RuntimeEvent::Consent(ConsentEvent::AccessLogged { .. })))
}

#[test]
fn consent_grant_log_revoke_and_break_glass_through_rpc() {
	let logs = TempDir::new("consent-rpc");
	let mut node = Node::start(NodeSpec {
		name: "consent-dev",
		args: vec!["--dev".into()],
		base_path: None,
		log_dir: logs.path(),
		p2p_port: None,
		prometheus_port: None,
	});
	node.wait_for("best block >= 1", TIMEOUT, |n| n.best_number().filter(|b| *b >= 1));
	let bob = Bob.to_account_id().to_string();
	let alice = Alice.to_account_id().to_string();
	let charlie = Charlie.to_account_id().to_string();
	let dave = Dave.to_account_id().to_string();
	let ferdie = Ferdie.to_account_id().to_string();

	assert_eq!(has_access(&node, &bob, "clinical", "treatment"), Some(serde_json::json!(false)));
	assert_eq!(
		node.rpc("consent_grantsOf", serde_json::json!([dave])),
		Some(serde_json::json!([]))
	);

	// Three records of Dave's, anchored by Alice (a hospital), one per category used below.
	let labs = record_id(Alice, H256::repeat_byte(0x51));
	let mental = record_id(Alice, H256::repeat_byte(0x53));
	let billing = record_id(Alice, H256::repeat_byte(0x54));
	assert_eq!(
		record_access(&node, &bob, labs, "treatment"),
		serde_json::json!({"allowed": false, "reason": "unknownRecord"})
	);
	submit(&node, Alice, anchor(H256::repeat_byte(0x51), 0x52, Scope::Labs));
	submit(&node, Alice, anchor(H256::repeat_byte(0x53), 0x55, Scope::MentalHealth));
	submit(&node, Alice, anchor(H256::repeat_byte(0x54), 0x56, Scope::Billing));

	// Dave grants Bob clinical + labs for treatment; and the insurer billing for payment.
	submit(
		&node,
		Dave,
		RuntimeCall::Consent(pallet_consent::Call::grant {
			grantee: Bob.to_account_id(),
			scopes: Scopes::from_items(&[Scope::Clinical, Scope::Labs]),
			purposes: Purposes::from(Purpose::Treatment),
			expires_at: None,
			consent_digest: Some(H256::repeat_byte(0xc0)),
		}),
	);
	submit(
		&node,
		Dave,
		RuntimeCall::Consent(pallet_consent::Call::grant {
			grantee: Charlie.to_account_id(),
			scopes: Scopes::from(Scope::Billing),
			purposes: Purposes::from(Purpose::Payment),
			expires_at: Some(100_000),
			consent_digest: None,
		}),
	);
	node.wait_for("Bob has access", TIMEOUT, |n| {
		(has_access(n, &bob, "clinical", "treatment") == Some(serde_json::json!(true)))
			.then_some(())
	});
	node.wait_for("both grants listed", TIMEOUT, |n| {
		n.rpc("consent_grantsOf", serde_json::json!([dave]))
			.filter(|g| g.as_array().map(|a| a.len()) == Some(2))
	});
	for r in [labs, mental, billing] {
		node.wait_for("records anchored", TIMEOUT, |n| {
			n.rpc("records_get", serde_json::json!([hex(r.as_bytes())])).filter(|g| !g.is_null())
		});
	}
	assert_eq!(has_access(&node, &bob, "LABS", "Treatment"), Some(serde_json::json!(true)));
	assert_eq!(has_access(&node, &bob, "genomics", "treatment"), Some(serde_json::json!(false)));
	assert_eq!(
		node.rpc("consent_accessBasis", serde_json::json!([dave, bob, "clinical", "research"])),
		Some(serde_json::json!({"allowed": false, "reason": "purposeNotGranted"}))
	);
	let grants = node.rpc("consent_grantsOf", serde_json::json!([dave])).expect("grants");
	let to_bob = grants
		.as_array()
		.and_then(|a| a.iter().find(|g| g["grantee"] == bob.as_str()))
		.expect("grant to Bob");
	assert_eq!(to_bob["scopes"], serde_json::json!(["clinical", "labs"]));
	assert_eq!(to_bob["purposes"], serde_json::json!(["treatment"]));
	assert_eq!(to_bob["grantedBy"], dave.as_str());
	assert_eq!(to_bob["live"], true);
	assert_eq!(to_bob["consentDigest"], hex(&[0xc0; 32]));

	// consent_recordAccess: the chain's access rule with the record's own scope.
	assert_eq!(
		record_access(&node, &bob, labs, "treatment"),
		serde_json::json!({"allowed": true, "basis": "consent", "patient": dave, "scope": "labs"})
	);
	assert_eq!(
		record_access(&node, &bob, mental, "treatment"),
		serde_json::json!({"allowed": false, "reason": "scopeNotGranted"})
	);
	assert_eq!(
		record_access(&node, &bob, H256::repeat_byte(0xee), "treatment"),
		serde_json::json!({"allowed": false, "reason": "unknownRecord"})
	);
	// Ferdie is no provider organisation: nothing gives it access.
	assert_eq!(
		record_access(&node, &ferdie, labs, "treatment"),
		serde_json::json!({"allowed": false, "reason": "notActiveProvider"})
	);
	assert_eq!(
		node.rpc("consent_accessBasis", serde_json::json!([dave, ferdie, "labs", "treatment"])),
		Some(serde_json::json!({"allowed": false, "reason": "notActiveProvider"}))
	);

	// Bob logs an access: the audit event names the record's scope and the consent as basis.
	let from = node.best_number().expect("best") + 1;
	submit(&node, Bob, log_access(labs, Purpose::Treatment));
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "AccessLogged", |e| {
		matches!(e, RuntimeEvent::Consent(ConsentEvent::AccessLogged { .. }))
	});
	assert_eq!(
		e,
		RuntimeEvent::Consent(ConsentEvent::AccessLogged {
			patient: Dave.to_account_id(),
			accessor: Bob.to_account_id(),
			record_id: labs,
			scope: Scope::Labs,
			purpose: Purpose::Treatment,
			basis: AccessBasis::Consent,
		})
	);
	// The mental-health record is outside Bob's grant.
	let (block, err) =
		submit_failing(&mut node, Bob, log_access(mental, Purpose::Treatment), "Bob refused");
	assert_eq!(err, consent_error(ConsentError::ScopeNotGranted));
	assert!(no_access_logged(&node, block));

	// The security review's scenario: the insurer holds a live Billing grant for Payment, and
	// asks for Dave's mental-health note. Refused by the RPC a gateway asks ...
	assert_eq!(
		node.rpc("consent_accessBasis", serde_json::json!([dave, charlie, "billing", "payment"])),
		Some(serde_json::json!({"allowed": true, "basis": "consent"})),
		"the insurer's billing grant is live"
	);
	assert_eq!(
		record_access(&node, &charlie, mental, "payment"),
		serde_json::json!({"allowed": false, "reason": "scopeNotGranted"})
	);
	// ... and by the audit log: no "consented" access to the note can be logged.
	let (block, err) = submit_failing(
		&mut node,
		Charlie,
		log_access(mental, Purpose::Payment),
		"insurer's logAccess on the mental-health record refused",
	);
	assert_eq!(err, consent_error(ConsentError::ScopeNotGranted));
	assert!(no_access_logged(&node, block));
	// The billing record is what the grant covers.
	assert_eq!(
		record_access(&node, &charlie, billing, "payment"),
		serde_json::json!({"allowed": true, "basis": "consent", "patient": dave, "scope": "billing"})
	);
	let from = node.best_number().expect("best") + 1;
	submit(&node, Charlie, log_access(billing, Purpose::Payment));
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "insurer's AccessLogged", |e| {
		matches!(e, RuntimeEvent::Consent(ConsentEvent::AccessLogged { .. }))
	});
	assert!(matches!(
		e,
		RuntimeEvent::Consent(ConsentEvent::AccessLogged {
			scope: Scope::Billing,
			basis: AccessBasis::Consent,
			..
		})
	));

	// Dave revokes; Bob's next access is refused with the named error, nothing logged.
	submit(
		&node,
		Dave,
		RuntimeCall::Consent(pallet_consent::Call::revoke { grantee: Bob.to_account_id() }),
	);
	node.wait_for("Bob's access revoked", TIMEOUT, |n| {
		(has_access(n, &bob, "clinical", "treatment") == Some(serde_json::json!(false)))
			.then_some(())
	});
	let (block, err) =
		submit_failing(&mut node, Bob, log_access(labs, Purpose::Treatment), "refused logAccess");
	assert_eq!(err, consent_error(ConsentError::ConsentMissing), "refused with ConsentMissing");
	assert!(no_access_logged(&node, block));

	// Break-glass: Alice (Emergency role) opens a window; the patient's wallet sees the event.
	let from = node.best_number().expect("best") + 1;
	submit(
		&node,
		Alice,
		RuntimeCall::Consent(pallet_consent::Call::break_glass {
			patient: Dave.to_account_id(),
			reason: BreakGlassReason::PatientUnableToConsent,
		}),
	);
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "BreakGlassOpened", |e| {
		matches!(e, RuntimeEvent::Consent(ConsentEvent::BreakGlassOpened { .. }))
	});
	let RuntimeEvent::Consent(ConsentEvent::BreakGlassOpened { id, patient, provider, .. }) = e
	else {
		unreachable!("matched above")
	};
	assert_eq!((patient, provider), (Dave.to_account_id(), Alice.to_account_id()));
	node.wait_for("break-glass basis at the finalized block", TIMEOUT, |n| {
		(n.rpc(
			"consent_accessBasis",
			serde_json::json!([dave, alice, "mentalHealth", "treatment"]),
		) == Some(serde_json::json!({"allowed": true, "basis": "breakGlass", "breakGlassId": id})))
		.then_some(())
	});
	assert_eq!(
		record_access(&node, &alice, mental, "treatment"),
		serde_json::json!({"allowed": true, "basis": "breakGlass", "breakGlassId": id,
			"patient": dave, "scope": "mentalHealth"})
	);
	// Treatment only.
	assert_eq!(
		record_access(&node, &alice, mental, "payment"),
		serde_json::json!({"allowed": false, "reason": "consentMissing"})
	);
	let access = node.rpc("consent_breakGlass", serde_json::json!([id])).expect("access");
	assert_eq!(access["open"], true);
	assert_eq!(access["review"], "pending");
	assert_eq!(access["reason"], "patientUnableToConsent");
	assert_eq!(
		node.rpc("consent_breakGlassTally", serde_json::json!([alice])),
		Some(serde_json::json!({"opened": 1, "justified": 0, "unjustified": 0}))
	);
	// Alice's access under break-glass is logged with that basis and the record's scope.
	let from = node.best_number().expect("best") + 1;
	submit(&node, Alice, log_access(mental, Purpose::Treatment));
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "AccessLogged by Alice", |e| {
		matches!(e, RuntimeEvent::Consent(ConsentEvent::AccessLogged { .. }))
	});
	assert!(matches!(
		e,
		RuntimeEvent::Consent(ConsentEvent::AccessLogged {
			basis: AccessBasis::BreakGlass(b),
			scope: Scope::MentalHealth,
			..
		}) if b == id
	));

	// Only the patient, a guardian or governance closes a window: Bob may not.
	let (_, err) = submit_failing(
		&mut node,
		Bob,
		RuntimeCall::Consent(pallet_consent::Call::close_break_glass {
			patient: Dave.to_account_id(),
			provider: Alice.to_account_id(),
		}),
		"Bob's closeBreakGlass refused",
	);
	assert_eq!(err, consent_error(ConsentError::NotPatientOrGuardian));
	// Dave closes it at once.
	let from = node.best_number().expect("best") + 1;
	submit(
		&node,
		Dave,
		RuntimeCall::Consent(pallet_consent::Call::close_break_glass {
			patient: Dave.to_account_id(),
			provider: Alice.to_account_id(),
		}),
	);
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "BreakGlassClosed", |e| {
		matches!(e, RuntimeEvent::Consent(ConsentEvent::BreakGlassClosed { .. }))
	});
	assert_eq!(
		e,
		RuntimeEvent::Consent(ConsentEvent::BreakGlassClosed {
			id,
			patient: Dave.to_account_id(),
			provider: Alice.to_account_id(),
			cause: CloseCause::Patient,
		})
	);
	node.wait_for("window closed at the finalized block", TIMEOUT, |n| {
		(record_access(n, &alice, mental, "treatment")
			== serde_json::json!({"allowed": false, "reason": "consentMissing"}))
		.then_some(())
	});
	assert_eq!(
		node.rpc("consent_breakGlass", serde_json::json!([id])).expect("access")["open"],
		false,
		"consent_breakGlass reports a window the patient closed as closed"
	);
	let (_, err) = submit_failing(
		&mut node,
		Alice,
		log_access(mental, Purpose::Treatment),
		"Alice refused after the close",
	);
	assert_eq!(err, consent_error(ConsentError::ConsentMissing));
	let (_, err) = submit_failing(
		&mut node,
		Dave,
		RuntimeCall::Consent(pallet_consent::Call::close_break_glass {
			patient: Dave.to_account_id(),
			provider: Alice.to_account_id(),
		}),
		"second close refused",
	);
	assert_eq!(err, consent_error(ConsentError::NoOpenWindow));

	// A retracted record is no longer disclosed: governance retracts the billing record.
	submit(
		&node,
		Alice,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo {
			call: Box::new(RuntimeCall::Records(pallet_records::Call::force_retract {
				record_id: billing,
				reason: pallet_records::RetractReason::PatientRequest,
			})),
		}),
	);
	node.wait_for("retracted record refused", TIMEOUT, |n| {
		(record_access(n, &charlie, billing, "payment")
			== serde_json::json!({"allowed": false, "reason": "recordRetracted"}))
		.then_some(())
	});
	let (_, err) = submit_failing(
		&mut node,
		Charlie,
		log_access(billing, Purpose::Payment),
		"logAccess on a retracted record refused",
	);
	assert_eq!(err, consent_error(ConsentError::RecordRetracted));

	// Bad RPC input is an error, not a crash.
	assert_eq!(has_access(&node, &bob, "xrays", "treatment"), None);
	assert_eq!(has_access(&node, &bob, "clinical", "marketing"), None);
	assert_eq!(
		node.rpc(
			"consent_recordAccess",
			serde_json::json!([bob, hex(labs.as_bytes()), "marketing"])
		),
		None
	);
	assert_eq!(
		node.rpc("consent_breakGlass", serde_json::json!([999])),
		Some(serde_json::Value::Null)
	);

	let status = node.stop(Duration::from_secs(60));
	assert!(status.success());
}
