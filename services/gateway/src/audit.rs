//! AuditEvents of the exchange, in the shape of IHE Basic Audit Log Patterns (BALP): a
//! RESTful read / search by another organisation, released or denied, each release pointing
//! at the block and extrinsic that recorded the disclosure on chain.

use serde_json::{json, Value};

use crate::store::AuditRow;

const ACCOUNT_SYSTEM: &str = "urn:healthchain:account";
const DCM: &str = "http://dicom.nema.org/resources/ontology/DCM";

fn account(bytes: &[u8]) -> String {
	<[u8; 32]>::try_from(bytes)
		.map(|a| healthchain_chain::AccountId32(a).to_string())
		.unwrap_or_else(|_| format!("0x{}", hex::encode(bytes)))
}

fn rfc3339(ms: i64) -> String {
	time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
		.ok()
		.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
		.unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// The v3 ActReason code of a purpose (`purposeOfEvent`).
fn act_reason(purpose: &str) -> Option<(&'static str, &'static str)> {
	Some(match purpose {
		"treatment" => ("TREAT", "treatment"),
		"payment" => ("HPAYMT", "healthcare payment"),
		"operations" => ("HOPERAT", "healthcare operations"),
		"research" => ("HRESCH", "healthcare research"),
		_ => return None,
	})
}

/// The BALP profile of an interaction.
fn profile(interaction: &str) -> &'static str {
	match interaction {
		"search-type" => {
			"https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.Query"
		}
		_ => "https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.Read",
	}
}

/// One AuditEvent. `server` is this organisation's account.
pub fn audit_event(a: &AuditRow, server: &str) -> Value {
	let mut agents = vec![];
	if let Some(r) = &a.requester {
		let mut agent = json!({
			"type": {"coding": [{"system": DCM, "code": "110153", "display": "Source Role ID"}]},
			"who": {"identifier": {"system": ACCOUNT_SYSTEM, "value": account(r)}},
			"requestor": true,
		});
		if let Some(s) = a.signer.as_ref().filter(|s| *s != r) {
			// The key that signed acted for the organisation (a proxy).
			agent["altId"] = json!(account(s));
		}
		agents.push(agent);
	}
	agents.push(json!({
		"type": {"coding": [{"system": DCM, "code": "110152", "display": "Destination Role ID"}]},
		"who": {"identifier": {"system": ACCOUNT_SYSTEM, "value": server}},
		"requestor": false,
	}));
	let mut entities = vec![];
	if let Some(p) = &a.patient {
		entities.push(json!({
			"what": {"identifier": {"system": ACCOUNT_SYSTEM, "value": account(p)}},
			"type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person"},
			"role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient"},
		}));
	}
	if let (Some(t), Some(id)) = (&a.resource_type, &a.resource_id) {
		let reference = match a.version {
			Some(v) => format!("{t}/{id}/_history/{v}"),
			None => format!("{t}/{id}"),
		};
		let mut detail = vec![];
		if let Some(r) = &a.record_id {
			detail
				.push(json!({"type": "recordId", "valueString": format!("0x{}", hex::encode(r))}));
		}
		if let Some(n) = a.checked_at {
			detail.push(json!({"type": "checkedAtBlock", "valueString": n.to_string()}));
		}
		if let Some(b) = &a.basis {
			detail.push(json!({"type": "basis", "valueString": b}));
		}
		let mut e = json!({
			"what": {"reference": reference},
			"type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object"},
			"role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "4", "display": "Domain Resource"},
		});
		if !detail.is_empty() {
			e["detail"] = json!(detail);
		}
		entities.push(e);
	}
	if let Some(d) = &a.disclosure {
		let mut detail = vec![json!({"type": "state", "valueString": d.state})];
		if let Some(n) = d.block_number {
			detail.push(json!({"type": "blockNumber", "valueString": n.to_string()}));
		}
		if let Some(h) = &d.block_hash {
			detail
				.push(json!({"type": "blockHash", "valueString": format!("0x{}", hex::encode(h))}));
		}
		if let Some(i) = d.extrinsic_index {
			detail.push(json!({"type": "extrinsicIndex", "valueString": i.to_string()}));
		}
		if let Some(e) = &d.error {
			detail.push(json!({"type": "error", "valueString": e}));
		}
		let what = match (d.block_number, d.extrinsic_index) {
			(Some(n), Some(i)) => {
				json!({"identifier": {"system": "urn:healthchain:extrinsic", "value": format!("{n}-{i}")}})
			}
			_ => {
				json!({"identifier": {"system": "urn:healthchain:disclosure", "value": d.seq.to_string()}})
			}
		};
		entities.push(json!({
			"what": what,
			"type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object"},
			"role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "13", "display": "Security Resource"},
			"name": "consent.recordDisclosures",
			"description": "The disclosure recorded on chain by the custodian",
			"detail": detail,
		}));
	}
	let mut ev = json!({
		"resourceType": "AuditEvent",
		"id": a.id,
		"meta": {"profile": [profile(&a.interaction)]},
		"type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "Restful Operation"},
		"subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": a.interaction, "display": a.interaction}],
		"action": if a.interaction == "search-type" { "E" } else { "R" },
		"recorded": rfc3339(a.recorded_ms),
		"outcome": a.outcome.to_string(),
		"agent": agents,
		"source": {
			"observer": {"identifier": {"system": ACCOUNT_SYSTEM, "value": server}},
			"type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4", "display": "Application Server"}],
		},
	});
	if let Some(d) = &a.outcome_desc {
		ev["outcomeDesc"] = json!(d);
	}
	if let Some((code, display)) = a.purpose.as_deref().and_then(act_reason) {
		ev["purposeOfEvent"] = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": code, "display": display}]}]);
	}
	if !entities.is_empty() {
		ev["entity"] = json!(entities);
	}
	ev
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::store::DisclosureRow;

	#[test]
	fn a_release_names_both_organisations_the_patient_the_version_and_the_extrinsic() {
		let a = AuditRow {
			id: "a1".into(),
			recorded_ms: 1_764_640_000_000,
			interaction: "read".into(),
			outcome: 0,
			requester: Some(vec![2; 32]),
			signer: Some(vec![3; 32]),
			purpose: Some("treatment".into()),
			resource_type: Some("Observation".into()),
			resource_id: Some("o1".into()),
			version: Some(2),
			record_id: Some(vec![9; 32]),
			patient: Some(vec![7; 32]),
			basis: Some("consent".into()),
			checked_at: Some(41),
			disclosure: Some(DisclosureRow {
				seq: 5,
				recipient: vec![2; 32],
				patient: vec![7; 32],
				record_id: vec![9; 32],
				purpose: 0,
				checked_at: 41,
				created_ms: 0,
				state: "finalized".into(),
				submitted_block: Some(41),
				block_number: Some(43),
				block_hash: Some(vec![1; 32]),
				extrinsic_index: Some(2),
				error: None,
				finalized_ms: None,
			}),
			..Default::default()
		};
		let ev = audit_event(&a, "server");
		assert_eq!(ev["outcome"], "0");
		assert_eq!(ev["action"], "R");
		assert_eq!(ev["purposeOfEvent"][0]["coding"][0]["code"], "TREAT");
		assert_eq!(ev["agent"][0]["requestor"], true);
		assert!(ev["agent"][0]["altId"].is_string(), "a proxy signer is named");
		assert_eq!(ev["entity"][1]["what"]["reference"], "Observation/o1/_history/2");
		assert_eq!(ev["entity"][2]["what"]["identifier"]["value"], "43-2");
		assert_eq!(ev["recorded"], "2025-12-02T01:46:40Z");
	}
}
