//! Accesses as FHIR `AuditEvent`s, in the shape the gateway serves (IHE Basic Audit Log
//! Patterns): a RESTful read by the accessing organisation, the patient, the record, the
//! purpose of use, and the extrinsic that put the fact on chain.

use serde_json::{json, Value};

const ACCOUNT_SYSTEM: &str = "urn:healthchain:account";
const DCM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const READ_PROFILE: &str =
	"https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.Read";

fn act_reason(purpose: &str) -> Option<(&'static str, &'static str)> {
	Some(match purpose {
		"treatment" => ("TREAT", "treatment"),
		"payment" => ("HPAYMT", "healthcare payment"),
		"operations" => ("HOPERAT", "healthcare operations"),
		"research" => ("HRESCH", "healthcare research"),
		_ => return None,
	})
}

fn account_ref(a: &Value) -> Value {
	json!({"identifier": {"system": ACCOUNT_SYSTEM, "value": a}})
}

/// The AuditEvent of one access item (as the query API returns it).
pub fn audit_event(a: &Value) -> Value {
	let block = a["block"].as_i64().unwrap_or_default();
	let event_index = a["eventIndex"].as_i64().unwrap_or_default();
	let disclosed = a["kind"] == "disclosed";
	let mut requester = json!({
		"type": {"coding": [{"system": DCM, "code": "110153", "display": "Source Role ID"}]},
		"who": account_ref(&a["accessor"]),
		"requestor": true,
	});
	if !a["signer"].is_null() && a["signer"] != a["accessor"] && a["signer"] != a["custodian"] {
		requester["altId"] = a["signer"].clone();
	}
	let mut agents = vec![requester];
	if disclosed {
		agents.push(json!({
			"type": {"coding": [{"system": DCM, "code": "110152", "display": "Destination Role ID"}]},
			"who": account_ref(&a["custodian"]),
			"requestor": false,
		}));
	}
	let mut record_detail = vec![
		json!({"type": "scope", "valueString": a["scope"]}),
		json!({"type": "basis", "valueString": a["basis"]}),
	];
	if let Some(id) = a["breakGlassId"].as_i64() {
		record_detail.push(json!({"type": "breakGlassId", "valueString": id.to_string()}));
	}
	if let Some(n) = a["checkedAt"].as_i64() {
		record_detail.push(json!({"type": "checkedAtBlock", "valueString": n.to_string()}));
	}
	if let Some(d) = a["denial"].as_str() {
		record_detail.push(json!({"type": "denial", "valueString": d}));
	}
	let mut ev = json!({
		"resourceType": "AuditEvent",
		"id": format!("{block}-{event_index}"),
		"meta": {"profile": [READ_PROFILE]},
		"type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "Restful Operation"},
		"subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": "read", "display": "read"}],
		"action": "R",
		"recorded": a["time"],
		"outcome": "0",
		"agent": agents,
		"source": {
			"observer": {"identifier": {"system": "urn:healthchain:chain", "value": "healthchain"}},
			"type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4", "display": "Application Server"}],
		},
		"entity": [
			{
				"what": account_ref(&a["patient"]),
				"type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person"},
				"role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient"},
			},
			{
				"what": {"identifier": {"system": "urn:healthchain:record", "value": a["recordId"]}},
				"type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object"},
				"role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "4", "display": "Domain Resource"},
				"detail": record_detail,
			},
			{
				"what": {"identifier": {"system": "urn:healthchain:extrinsic", "value": format!("{block}-{}", a["extrinsicIndex"].as_i64().map(|i| i.to_string()).unwrap_or_default())}},
				"type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object"},
				"role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "13", "display": "Security Resource"},
				"name": if disclosed { "consent.recordDisclosures" } else { "consent.logAccess" },
				"description": if disclosed { "The disclosure recorded on chain by the custodian" } else { "The access logged on chain by the accessor" },
				"detail": [
					{"type": "blockNumber", "valueString": block.to_string()},
					{"type": "eventIndex", "valueString": event_index.to_string()},
				],
			},
		],
	});
	if a["basis"] == "break_glass" {
		ev["purposeOfEvent"] = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "ETREAT", "display": "Emergency Treatment"}]}]);
	} else if let Some((code, display)) = a["purpose"].as_str().and_then(act_reason) {
		ev["purposeOfEvent"] = json!([{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": code, "display": display}]}]);
	}
	ev
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_disclosure_names_both_organisations_the_patient_the_record_and_the_extrinsic() {
		let a = json!({
			"block": 43, "eventIndex": 5, "extrinsicIndex": 2, "time": "2026-12-02T01:46:40Z",
			"kind": "disclosed", "patient": "P", "accessor": "B", "custodian": "A", "signer": "K",
			"recordId": "0x09", "scope": "labs", "purpose": "treatment", "basis": "consent",
			"breakGlassId": null, "denial": null, "checkedAt": 41,
		});
		let ev = audit_event(&a);
		assert_eq!(ev["id"], "43-5");
		assert_eq!(ev["agent"][0]["who"]["identifier"]["value"], "B");
		assert_eq!(ev["agent"][0]["altId"], "K", "a proxy signer is named");
		assert_eq!(ev["agent"][1]["who"]["identifier"]["value"], "A");
		assert_eq!(ev["entity"][0]["what"]["identifier"]["value"], "P");
		assert_eq!(ev["entity"][2]["what"]["identifier"]["value"], "43-2");
		assert_eq!(ev["purposeOfEvent"][0]["coding"][0]["code"], "TREAT");
		assert_eq!(ev["recorded"], "2026-12-02T01:46:40Z");
	}

	#[test]
	fn an_emergency_access_is_emergency_treatment() {
		let a = json!({"block": 1, "eventIndex": 0, "kind": "logged", "basis": "break_glass", "breakGlassId": 3, "purpose": "treatment", "accessor": "E", "signer": "E", "custodian": null});
		let ev = audit_event(&a);
		assert_eq!(ev["purposeOfEvent"][0]["coding"][0]["code"], "ETREAT");
		assert_eq!(ev["agent"].as_array().map(Vec::len), Some(1));
		assert!(ev["agent"][0].get("altId").is_none());
	}
}
