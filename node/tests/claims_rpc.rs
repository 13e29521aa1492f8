//! End-to-end test of the claims pallet on a running dev node: a provider submits (only with a
//! care relationship: the patient's Treatment grant to it covering each record's scope), the
//! insurer adjudicates into escrow, a keeper settles, a denial is disputed (a bond is held on the
//! insurer) and resolved by root (Alice is sudo in the dev preset) — with real signed
//! extrinsics, balances read from state and checked to the unit, and `claims_get` / `claims_of`.
//!
//! Dev preset: Alice is a hospital (the provider), Charlie the insurer, Dave the patient,
//! Ferdie a keeper with no role.

mod common;

use common::{balances, failed_with, record_id, submit, wait_for_event, Node, NodeSpec, TempDir};
use healthchain_primitives::{Purpose, Purposes, Scope, Scopes};
use healthchain_runtime::{Runtime, RuntimeCall, RuntimeEvent, UNIT};
use pallet_claims::{Decision, Event as ClaimsEvent, ReasonCode};
use sp_core::H256;
use sp_keyring::Sr25519Keyring::{Alice, Charlie, Dave, Ferdie};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

fn claims_call(c: pallet_claims::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Claims(c)
}

fn is_claims_event(e: &RuntimeEvent, f: impl Fn(&ClaimsEvent<Runtime>) -> bool) -> bool {
	matches!(e, RuntimeEvent::Claims(c) if f(c))
}

#[test]
fn claims_submit_adjudicate_settle_and_dispute_on_a_dev_node() {
	let logs = TempDir::new("claims-rpc");
	let mut node = Node::start(NodeSpec {
		name: "claims-dev",
		args: vec!["--dev".into()],
		base_path: None,
		log_dir: logs.path(),
		p2p_port: None,
		prometheus_port: None,
	});
	node.wait_for("best block >= 1", TIMEOUT, |n| n.best_number().filter(|b| *b >= 1));
	assert_eq!(node.rpc("claims_get", serde_json::json!([0])), Some(serde_json::Value::Null));

	// Two clinical records of Dave's by Alice, and Dave's billing consent for Charlie.
	let (l1, l2) = (H256::repeat_byte(0x61), H256::repeat_byte(0x62));
	let (r1, r2) = (record_id(Alice, l1), record_id(Alice, l2));
	for (l, d) in [(l1, 0x71), (l2, 0x72)] {
		submit(
			&node,
			Alice,
			RuntimeCall::Records(pallet_records::Call::anchor {
				local_id: l,
				subject: Dave.to_account_id(),
				digest: H256::repeat_byte(d),
				kind: pallet_records::RecordKind(13),
				scope: Scope::Clinical,
			}),
		);
	}
	submit(
		&node,
		Dave,
		RuntimeCall::Consent(pallet_consent::Call::grant {
			grantee: Charlie.to_account_id(),
			scopes: Scopes::from(Scope::Billing),
			purposes: Purposes::from(Purpose::Payment),
			expires_at: None,
			consent_digest: None,
		}),
	);
	node.wait_for("consent in force", TIMEOUT, |n| {
		n.rpc(
			"consent_hasAccess",
			serde_json::json!([
				Dave.to_account_id().to_string(),
				Charlie.to_account_id().to_string(),
				"billing",
				"payment"
			]),
		)
		.filter(|v| v == &serde_json::json!(true))
	});

	let has_access = |n: &Node, grantee: &str, scope: &str, purpose: &str| {
		n.rpc(
			"consent_hasAccess",
			serde_json::json!([Dave.to_account_id().to_string(), grantee, scope, purpose]),
		)
	};
	let alice = Alice.to_account_id().to_string();
	assert_eq!(has_access(&node, &alice, "clinical", "treatment"), Some(serde_json::json!(false)));

	// No care relationship: Dave never consented to Alice treating him, so Alice cannot bill
	// his insurer, not even for records she anchored herself.
	let amount = 1_000 * UNIT;
	let from = node.best_number().expect("best");
	submit(
		&node,
		Alice,
		claims_call(pallet_claims::Call::submit {
			insurer: Charlie.to_account_id(),
			patient: Dave.to_account_id(),
			claim_digest: H256::repeat_byte(0xc0),
			amount,
			record_ids: vec![r1].try_into().expect("bound"),
		}),
	);
	let (_, e) = wait_for_event(&mut node, from, TIMEOUT, "claim without care refused", |e| {
		failed_with(e).is_some()
	});
	assert_eq!(failed_with(&e), Some(pallet_claims::Error::<Runtime>::NoCareRelationship.into()));

	// Dave's Treatment grant to Alice covering the records' scope (Clinical).
	submit(
		&node,
		Dave,
		RuntimeCall::Consent(pallet_consent::Call::grant {
			grantee: Alice.to_account_id(),
			scopes: Scopes::from(Scope::Clinical),
			purposes: Purposes::from(Purpose::Treatment),
			expires_at: None,
			consent_digest: None,
		}),
	);
	node.wait_for("care relationship in force", TIMEOUT, |n| {
		has_access(n, &alice, "clinical", "treatment").filter(|v| v == &serde_json::json!(true))
	});

	// Claim 0: 1,000 HLTH, approved in full, settled by a keeper.
	let from = node.best_number().expect("best");
	submit(
		&node,
		Alice,
		claims_call(pallet_claims::Call::submit {
			insurer: Charlie.to_account_id(),
			patient: Dave.to_account_id(),
			claim_digest: H256::repeat_byte(0xc1),
			amount,
			record_ids: vec![r1].try_into().expect("bound"),
		}),
	);
	wait_for_event(&mut node, from, TIMEOUT, "ClaimSubmitted 0", |e| {
		is_claims_event(e, |c| matches!(c, ClaimsEvent::ClaimSubmitted { claim_id: 0, .. }))
	});
	// claims_get answers at the finalized block.
	let got = node.wait_for("claim 0 finalized", TIMEOUT, |n| {
		n.rpc("claims_get", serde_json::json!([0])).filter(|c| !c.is_null())
	});
	assert_eq!(got["status"], serde_json::json!({"state": "submitted"}));
	assert_eq!(got["amount"], amount.to_string());
	assert_eq!(got["provider"], Alice.to_account_id().to_string());

	// A duplicate digest is refused with the named error.
	let from = node.best_number().expect("best");
	submit(
		&node,
		Alice,
		claims_call(pallet_claims::Call::submit {
			insurer: Charlie.to_account_id(),
			patient: Dave.to_account_id(),
			claim_digest: H256::repeat_byte(0xc1),
			amount,
			record_ids: vec![r2].try_into().expect("bound"),
		}),
	);
	let (_, e) =
		wait_for_event(&mut node, from, TIMEOUT, "duplicate refused", |e| failed_with(e).is_some());
	assert_eq!(failed_with(&e), Some(pallet_claims::Error::<Runtime>::DuplicateClaim.into()));

	let insurer_before = balances(&node, &Charlie.to_account_id());
	let from = node.best_number().expect("best");
	submit(
		&node,
		Charlie,
		claims_call(pallet_claims::Call::adjudicate { claim_id: 0, decision: Decision::Approve }),
	);
	wait_for_event(&mut node, from, TIMEOUT, "ClaimApproved", |e| {
		is_claims_event(e, |c| matches!(c, ClaimsEvent::ClaimApproved { claim_id: 0, .. }))
	});
	let insurer_escrowed = balances(&node, &Charlie.to_account_id());
	assert_eq!(insurer_escrowed.reserved, insurer_before.reserved + amount, "escrow held");
	let got = node.wait_for("claim 0 approved at the finalized block", TIMEOUT, |n| {
		n.rpc("claims_get", serde_json::json!([0])).filter(|c| c["status"]["state"] == "approved")
	});
	assert_eq!(got["status"]["approved"], amount.to_string());

	let provider_before = balances(&node, &Alice.to_account_id());
	let from = node.best_number().expect("best");
	submit(&node, Ferdie, claims_call(pallet_claims::Call::settle { claim_id: 0 }));
	wait_for_event(&mut node, from, TIMEOUT, "ClaimSettled", |e| {
		is_claims_event(e, |c| matches!(c, ClaimsEvent::ClaimSettled { claim_id: 0, .. }))
	});
	let provider_after = balances(&node, &Alice.to_account_id());
	let insurer_after = balances(&node, &Charlie.to_account_id());
	// Alice signed nothing meanwhile and Charlie nothing since adjudicating: exact amounts.
	assert_eq!(provider_after.free, provider_before.free + amount, "provider paid exactly");
	assert_eq!(insurer_after.reserved, insurer_before.reserved, "escrow released");
	assert_eq!(insurer_after.free, insurer_escrowed.free, "insurer's free balance untouched");
	node.wait_for("claim 0 settled at the finalized block", TIMEOUT, |n| {
		n.rpc("claims_get", serde_json::json!([0])).filter(|c| c["status"]["state"] == "settled")
	});

	// Claim 1: denied, disputed by Alice, resolved by root with an award.
	let from = node.best_number().expect("best");
	submit(
		&node,
		Alice,
		claims_call(pallet_claims::Call::submit {
			insurer: Charlie.to_account_id(),
			patient: Dave.to_account_id(),
			claim_digest: H256::repeat_byte(0xc2),
			amount: 500 * UNIT,
			record_ids: vec![r2].try_into().expect("bound"),
		}),
	);
	wait_for_event(&mut node, from, TIMEOUT, "ClaimSubmitted 1", |e| {
		is_claims_event(e, |c| matches!(c, ClaimsEvent::ClaimSubmitted { claim_id: 1, .. }))
	});
	submit(
		&node,
		Charlie,
		claims_call(pallet_claims::Call::adjudicate {
			claim_id: 1,
			decision: Decision::Deny(ReasonCode(50)),
		}),
	);
	let from = node.best_number().expect("best");
	node.wait_for("denied", TIMEOUT, |n| {
		n.rpc("claims_get", serde_json::json!([1])).filter(|c| c["status"]["state"] == "denied")
	});
	// Charlie signs nothing from here on: his balance moves only by the bond and the award.
	let insurer_denied = balances(&node, &Charlie.to_account_id());
	submit(
		&node,
		Alice,
		claims_call(pallet_claims::Call::dispute {
			claim_id: 1,
			reason_digest: H256::repeat_byte(0xd1),
		}),
	);
	wait_for_event(&mut node, from, TIMEOUT, "ClaimDisputed", |e| {
		is_claims_event(e, |c| matches!(c, ClaimsEvent::ClaimDisputed { claim_id: 1, .. }))
	});
	// The dispute holds the unpaid remainder (500 HLTH) on the insurer as a bond.
	let insurer_before = balances(&node, &Charlie.to_account_id());
	let bond = 500 * UNIT;
	assert_eq!(insurer_before.reserved, insurer_denied.reserved + bond, "dispute bond held");
	assert_eq!(insurer_before.free, insurer_denied.free - bond, "bond taken from free funds");
	let from = node.best_number().expect("best");
	let award = 200 * UNIT;
	submit(
		&node,
		Alice,
		RuntimeCall::Sudo(pallet_sudo::Call::sudo {
			call: Box::new(claims_call(pallet_claims::Call::resolve_dispute {
				claim_id: 1,
				award,
			})),
		}),
	);
	wait_for_event(&mut node, from, TIMEOUT, "DisputeResolved", |e| {
		is_claims_event(e, |c| matches!(c, ClaimsEvent::DisputeResolved { claim_id: 1, .. }))
	});
	let insurer_after = balances(&node, &Charlie.to_account_id());
	// The award came out of the bond, the rest of the bond was released.
	assert_eq!(insurer_after.reserved, insurer_denied.reserved, "bond released");
	assert_eq!(insurer_after.free, insurer_denied.free - award, "insurer paid the award exactly");
	let got = node.wait_for("claim 1 resolved at the finalized block", TIMEOUT, |n| {
		n.rpc("claims_get", serde_json::json!([1])).filter(|c| c["status"]["state"] == "resolved")
	});
	assert_eq!(
		got["status"],
		serde_json::json!({"state": "resolved", "paid": award.to_string(),
			"award": award.to_string(), "at": got["status"]["at"]})
	);

	// Listing: Alice submitted both, Charlie received both.
	let mut of_alice: Vec<u64> = serde_json::from_value(
		node.rpc("claims_of", serde_json::json!([Alice.to_account_id().to_string()]))
			.expect("list"),
	)
	.expect("ids");
	of_alice.sort();
	assert_eq!(of_alice, vec![0, 1]);

	let status = node.stop(Duration::from_secs(60));
	assert!(status.success());
}
