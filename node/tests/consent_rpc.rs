//! End-to-end test of the consent pallet on a running dev node: real signed extrinsics
//! (`consent.grant`, `logAccess`, `revoke`, `breakGlass`) and the `consent_*` RPCs. In the dev
//! preset Alice is a hospital with the Emergency role, Bob a clinic and lab, Charlie an
//! insurer; Dave is the patient.

mod common;

use common::{failed_with, hex, submit, wait_for_event, Node, NodeSpec, TempDir};
use healthchain_primitives::{Purpose, Purposes, Scope, Scopes};
use healthchain_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use pallet_consent::{AccessBasis, BreakGlassReason, Event as ConsentEvent};
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

fn has_access(node: &Node, grantee: &str, scope: &str, purpose: &str) -> Option<serde_json::Value> {
	node.rpc(
		"consent_hasAccess",
		serde_json::json!([Dave.to_account_id().to_string(), grantee, scope, purpose]),
	)
}

fn log_access(record_id: H256, scope: Scope, purpose: Purpose) -> RuntimeCall {
	RuntimeCall::Consent(pallet_consent::Call::log_access {
		patient: Dave.to_account_id(),
		record_id,
		scope,
		purpose,
	})
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
	let dave = Dave.to_account_id().to_string();

	assert_eq!(has_access(&node, &bob, "clinical", "treatment"), Some(serde_json::json!(false)));
	assert_eq!(
		node.rpc("consent_grantsOf", serde_json::json!([dave])),
		Some(serde_json::json!([]))
	);

	// A record of Dave's, anchored by Alice (a hospital).
	let record = H256::repeat_byte(0x51);
	submit(
		&node,
		Alice,
		RuntimeCall::Records(pallet_records::Call::anchor {
			record_id: record,
			subject: Dave.to_account_id(),
			digest: H256::repeat_byte(0x52),
			kind: pallet_records::RecordKind(2),
		}),
	);

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

	// Bob logs an access: the audit event names the consent as its basis.
	let from = node.best_number().expect("best");
	submit(&node, Bob, log_access(record, Scope::Labs, Purpose::Treatment));
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "AccessLogged", |e| {
		matches!(e, RuntimeEvent::Consent(ConsentEvent::AccessLogged { .. }))
	});
	assert_eq!(
		e,
		RuntimeEvent::Consent(ConsentEvent::AccessLogged {
			patient: Dave.to_account_id(),
			accessor: Bob.to_account_id(),
			record_id: record,
			scope: Scope::Labs,
			purpose: Purpose::Treatment,
			basis: AccessBasis::Consent,
		})
	);

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
	let from = node.best_number().expect("best");
	submit(&node, Bob, log_access(record, Scope::Labs, Purpose::Treatment));
	let (block, e) =
		wait_for_event(&mut node, from, TIMEOUT, "refused logAccess", |e| failed_with(e).is_some());
	assert_eq!(
		failed_with(&e),
		Some(pallet_consent::Error::<Runtime>::ConsentMissing.into()),
		"refused with ConsentMissing"
	);
	assert!(!common::events_at(&node, block)
		.iter()
		.any(|r| matches!(r.event, RuntimeEvent::Consent(ConsentEvent::AccessLogged { .. }))));

	// Break-glass: Alice (Emergency role) opens a window; the patient's wallet sees the event.
	let from = node.best_number().expect("best");
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
	assert_eq!(
		node.rpc(
			"consent_accessBasis",
			serde_json::json!([dave, alice, "mentalHealth", "treatment"])
		),
		Some(serde_json::json!({"allowed": true, "basis": "breakGlass", "breakGlassId": id}))
	);
	let access = node.rpc("consent_breakGlass", serde_json::json!([id])).expect("access");
	assert_eq!(access["open"], true);
	assert_eq!(access["review"], "pending");
	assert_eq!(access["reason"], "patientUnableToConsent");
	assert_eq!(
		node.rpc("consent_breakGlassTally", serde_json::json!([alice])),
		Some(serde_json::json!({"opened": 1, "justified": 0, "unjustified": 0}))
	);
	// Alice's access under break-glass is logged with that basis.
	let from = node.best_number().expect("best");
	submit(&node, Alice, log_access(record, Scope::MentalHealth, Purpose::Treatment));
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "AccessLogged by Alice", |e| {
		matches!(e, RuntimeEvent::Consent(ConsentEvent::AccessLogged { .. }))
	});
	assert!(matches!(
		e,
		RuntimeEvent::Consent(ConsentEvent::AccessLogged { basis: AccessBasis::BreakGlass(b), .. })
			if b == id
	));

	// Bad RPC input is an error, not a crash.
	assert_eq!(has_access(&node, &bob, "xrays", "treatment"), None);
	assert_eq!(has_access(&node, &bob, "clinical", "marketing"), None);
	assert_eq!(
		node.rpc("consent_breakGlass", serde_json::json!([999])),
		Some(serde_json::Value::Null)
	);

	let status = node.stop(Duration::from_secs(60));
	assert!(status.success());
}
