//! The FHIR R4 side: which resource types the gateway keeps, how each maps to an on-chain
//! kind code and scope, where its patient reference is, and the JSON shapes the API returns
//! (`OperationOutcome`, `Bundle`, `CapabilityStatement`, `Parameters`).
//!
//! Resources are kept as the JSON they were received as (plus the server's `id` and
//! `meta.versionId` / `meta.lastUpdated`), never round-tripped through a typed model: a model
//! drops what it does not know (extensions, newer elements), and the anchored digest must
//! cover exactly the bytes the gateway serves. See docs/gateway.md ("Why no FHIR model crate").

use serde_json::{json, Map, Value};

/// The identifier system of a patient's chain account on a `Patient` resource.
pub const ACCOUNT_SYSTEM: &str = "urn:healthchain:account";
/// The URL of the anchor-status extension the gateway adds to `meta` on read; it is not part
/// of the anchored content (and `$verify` removes it).
pub const ANCHOR_EXTENSION: &str = "https://healthchain.example/fhir/StructureDefinition/anchor";

/// On-chain scope codes (the `Scope` enum's order in healthchain-primitives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
	Clinical,
	Labs,
	Imaging,
	Medications,
	MentalHealth,
	Genomics,
	Billing,
}

impl Scope {
	pub fn name(self) -> &'static str {
		match self {
			Scope::Clinical => "Clinical",
			Scope::Labs => "Labs",
			Scope::Imaging => "Imaging",
			Scope::Medications => "Medications",
			Scope::MentalHealth => "MentalHealth",
			Scope::Genomics => "Genomics",
			Scope::Billing => "Billing",
		}
	}

	pub fn code(self) -> i64 {
		self as i64
	}

	pub fn from_code(code: i64) -> Option<Self> {
		Some(match code {
			0 => Scope::Clinical,
			1 => Scope::Labs,
			2 => Scope::Imaging,
			3 => Scope::Medications,
			4 => Scope::MentalHealth,
			5 => Scope::Genomics,
			6 => Scope::Billing,
			_ => return None,
		})
	}
}

/// A resource type the gateway keeps: its kind code (docs/records.md), the element holding
/// the patient reference, and its default scope.
pub struct TypeInfo {
	pub name: &'static str,
	pub kind: u16,
	/// `None` for `Patient` (the resource is the patient).
	pub patient_element: Option<&'static str>,
	pub default_scope: Scope,
}

/// Every supported type. The kind codes are the records pallet's recommended codes.
pub const TYPES: &[TypeInfo] = &[
	TypeInfo { name: "Patient", kind: 1, patient_element: None, default_scope: Scope::Clinical },
	TypeInfo {
		name: "Observation",
		kind: 2,
		patient_element: Some("subject"),
		default_scope: Scope::Clinical,
	},
	TypeInfo {
		name: "Condition",
		kind: 3,
		patient_element: Some("subject"),
		default_scope: Scope::Clinical,
	},
	TypeInfo {
		name: "Procedure",
		kind: 4,
		patient_element: Some("subject"),
		default_scope: Scope::Clinical,
	},
	TypeInfo {
		name: "MedicationRequest",
		kind: 5,
		patient_element: Some("subject"),
		default_scope: Scope::Medications,
	},
	TypeInfo {
		name: "DiagnosticReport",
		kind: 6,
		patient_element: Some("subject"),
		default_scope: Scope::Clinical,
	},
	TypeInfo {
		name: "ImagingStudy",
		kind: 7,
		patient_element: Some("subject"),
		default_scope: Scope::Imaging,
	},
	TypeInfo {
		name: "Immunization",
		kind: 8,
		patient_element: Some("patient"),
		default_scope: Scope::Clinical,
	},
	TypeInfo {
		name: "AllergyIntolerance",
		kind: 9,
		patient_element: Some("patient"),
		default_scope: Scope::Clinical,
	},
	TypeInfo {
		name: "Encounter",
		kind: 10,
		patient_element: Some("subject"),
		default_scope: Scope::Clinical,
	},
	TypeInfo {
		name: "DocumentReference",
		kind: 11,
		patient_element: Some("subject"),
		default_scope: Scope::Clinical,
	},
	TypeInfo {
		name: "Consent",
		kind: 12,
		patient_element: Some("patient"),
		default_scope: Scope::Clinical,
	},
	TypeInfo {
		name: "Claim",
		kind: 13,
		patient_element: Some("patient"),
		default_scope: Scope::Billing,
	},
	TypeInfo {
		name: "ClaimResponse",
		kind: 14,
		patient_element: Some("patient"),
		default_scope: Scope::Billing,
	},
];

pub fn type_info(name: &str) -> Option<&'static TypeInfo> {
	TYPES.iter().find(|t| t.name == name)
}

/// `meta.security` codes (HL7 v3 ActCode) that put a record in a more restrictive scope than
/// its type: behavioural-health information and psychotherapy notes are MentalHealth,
/// substance-use information too (42 CFR Part 2), genetic information Genomics.
const MENTAL_HEALTH_LABELS: &[&str] = &["PSY", "PSYTHPN", "BH", "ETH", "SUD", "ETHUD", "OPIOIDUD"];
const GENOMICS_LABELS: &[&str] = &["GDIS", "GENETIC"];

fn codes(v: Option<&Value>) -> Vec<String> {
	// A CodeableConcept array (`category`) or a Coding array (`meta.security`): every code.
	let mut out = Vec::new();
	let items = match v {
		Some(Value::Array(a)) => a.clone(),
		Some(o @ Value::Object(_)) => vec![o.clone()],
		_ => return out,
	};
	for item in items {
		if let Some(c) = item.get("code").and_then(Value::as_str) {
			out.push(c.to_string());
		}
		if let Some(Value::Array(codings)) = item.get("coding") {
			for coding in codings {
				if let Some(c) = coding.get("code").and_then(Value::as_str) {
					out.push(c.to_string());
				}
			}
		}
	}
	out
}

/// The record's scope (docs/gateway.md, "Scope table"): a sensitivity label in
/// `meta.security` wins; then the category of Observation and DiagnosticReport; then the
/// type's default.
pub fn scope_of(info: &TypeInfo, resource: &Value) -> Scope {
	let labels = codes(resource.get("meta").and_then(|m| m.get("security")));
	if labels.iter().any(|c| MENTAL_HEALTH_LABELS.contains(&c.as_str())) {
		return Scope::MentalHealth;
	}
	if labels.iter().any(|c| GENOMICS_LABELS.contains(&c.as_str())) {
		return Scope::Genomics;
	}
	if matches!(info.name, "Observation" | "DiagnosticReport") {
		let categories = codes(resource.get("category"));
		let has = |xs: &[&str]| categories.iter().any(|c| xs.contains(&c.as_str()));
		if has(&["laboratory", "LAB", "HM", "CH", "MB", "SP", "BLB"]) {
			return Scope::Labs;
		}
		if has(&["imaging", "RAD", "CT", "MR", "US", "NMR", "RX"]) {
			return Scope::Imaging;
		}
		if has(&["GE", "genetics"]) {
			return Scope::Genomics;
		}
	}
	info.default_scope
}

/// The `Patient/{id}` a resource points at, or a sentence saying what is missing.
pub fn patient_reference(info: &TypeInfo, resource: &Value) -> Result<String, String> {
	let Some(element) = info.patient_element else {
		return Err("a Patient resource has no patient reference".into());
	};
	let reference =
		resource.get(element).and_then(|r| r.get("reference")).and_then(Value::as_str).ok_or_else(
			|| {
				format!(
					"{} needs `{element}.reference` pointing at the patient (\"Patient/<id>\")",
					info.name
				)
			},
		)?;
	let id =
		reference.strip_prefix("Patient/").ok_or_else(|| {
			format!("`{element}.reference` must be a local reference \"Patient/<id>\", not {reference:?}")
		})?;
	if !valid_id(id) {
		return Err(format!("`{element}.reference` has an invalid id {id:?}"));
	}
	Ok(format!("Patient/{id}"))
}

/// The chain account on a Patient resource (`identifier` with [`ACCOUNT_SYSTEM`]).
pub fn patient_account(resource: &Value) -> Result<String, String> {
	resource
        .get("identifier")
        .and_then(Value::as_array)
        .and_then(|ids| {
            ids.iter().find(|i| i.get("system").and_then(Value::as_str) == Some(ACCOUNT_SYSTEM))
        })
        .and_then(|i| i.get("value").and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| {
            format!(
                "a Patient needs an identifier with system {ACCOUNT_SYSTEM:?} whose value is the patient's chain account (SS58 address)"
            )
        })
}

/// FHIR `id`: 1–64 of `A-Z a-z 0-9 - .`.
pub fn valid_id(id: &str) -> bool {
	!id.is_empty()
		&& id.len() <= 64
		&& id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The stored (and anchored) form of a resource: the client's JSON with the server's `id`,
/// `meta.versionId` and `meta.lastUpdated`; any anchor extension a client sent back is dropped.
pub fn stored_form(
	mut resource: Map<String, Value>,
	id: &str,
	version: i64,
	last_updated: &str,
) -> Value {
	resource.insert("id".into(), Value::String(id.into()));
	let mut meta = match resource.remove("meta") {
		Some(Value::Object(m)) => m,
		_ => Map::new(),
	};
	meta.insert("versionId".into(), Value::String(version.to_string()));
	meta.insert("lastUpdated".into(), Value::String(last_updated.into()));
	strip_anchor_extension(&mut meta);
	resource.insert("meta".into(), Value::Object(meta));
	Value::Object(resource)
}

/// Remove the anchor-status extension from a `meta` object (and `extension` when it empties:
/// FHIR JSON has no empty arrays).
pub fn strip_anchor_extension(meta: &mut Map<String, Value>) {
	if let Some(Value::Array(exts)) = meta.get_mut("extension") {
		exts.retain(|e| e.get("url").and_then(Value::as_str) != Some(ANCHOR_EXTENSION));
		if exts.is_empty() {
			meta.remove("extension");
		}
	}
}

/// The anchored form of a served resource: the anchor extension removed.
pub fn anchored_form(mut resource: Value) -> Value {
	if let Some(Value::Object(meta)) = resource.get_mut("meta") {
		strip_anchor_extension(meta);
	}
	resource
}

/// The anchor status of one version, as the API shows it.
#[derive(Clone, Debug, Default)]
pub struct AnchorView {
	pub state: String,
	pub record_id: String,
	pub digest: Option<String>,
	pub block_number: Option<i64>,
	pub block_hash: Option<String>,
	pub error: Option<String>,
	/// When the version was acknowledged, and when its block was seen finalized (ms since
	/// the epoch, the gateway's clock).
	pub acknowledged_ms: i64,
	pub finalized_ms: Option<i64>,
}

impl AnchorView {
	/// As a FHIR extension (in `meta.extension`).
	pub fn extension(&self) -> Value {
		let mut parts = vec![
			json!({"url": "status", "valueCode": self.state}),
			json!({"url": "recordId", "valueString": self.record_id}),
		];
		if let Some(d) = &self.digest {
			parts.push(json!({"url": "digest", "valueString": d}));
		}
		if let Some(n) = self.block_number {
			parts.push(json!({"url": "blockNumber", "valueInteger": n}));
		}
		if let Some(h) = &self.block_hash {
			parts.push(json!({"url": "blockHash", "valueString": h}));
		}
		if let Some(e) = &self.error {
			parts.push(json!({"url": "error", "valueString": e}));
		}
		json!({"url": ANCHOR_EXTENSION, "extension": parts})
	}

	/// As `Parameters` (the `$anchor` operation).
	pub fn parameters(&self, version: i64, salt: Option<&str>) -> Value {
		let mut p = vec![
			json!({"name": "versionId", "valueString": version.to_string()}),
			json!({"name": "status", "valueCode": self.state}),
			json!({"name": "recordId", "valueString": self.record_id}),
		];
		if let Some(d) = &self.digest {
			p.push(json!({"name": "digest", "valueString": d}));
		}
		if let Some(s) = salt {
			p.push(json!({"name": "salt", "valueString": s}));
		}
		if let Some(n) = self.block_number {
			p.push(json!({"name": "blockNumber", "valueInteger": n}));
		}
		if let Some(h) = &self.block_hash {
			p.push(json!({"name": "blockHash", "valueString": h}));
		}
		if let Some(e) = &self.error {
			p.push(json!({"name": "error", "valueString": e}));
		}
		p.push(
			json!({"name": "acknowledgedMs", "valueInteger64": self.acknowledged_ms.to_string()}),
		);
		if let Some(f) = self.finalized_ms {
			p.push(json!({"name": "finalizedMs", "valueInteger64": f.to_string()}));
		}
		json!({"resourceType": "Parameters", "parameter": p})
	}
}

/// A resource as served: the stored form with the anchor extension in `meta`.
pub fn served_form(mut stored: Value, anchor: &AnchorView) -> Value {
	if let Some(Value::Object(meta)) = stored.get_mut("meta") {
		let exts = meta.entry("extension").or_insert_with(|| Value::Array(Vec::new()));
		if let Value::Array(a) = exts {
			a.push(anchor.extension());
		}
	}
	stored
}

/// Add what a recipient needs to verify a released resource to its anchor extension: the
/// salt, the finalized block the release was checked at, the basis and the AuditEvent.
/// (`anchored_form` drops the whole extension, so the digest is over the anchored bytes.)
pub fn add_release_details(
	resource: &mut Value,
	salt: &str,
	checked_at: u64,
	basis: &str,
	audit: &str,
) {
	let Some(Value::Array(exts)) = resource.pointer_mut("/meta/extension") else { return };
	for e in exts.iter_mut() {
		if e.get("url").and_then(Value::as_str) == Some(ANCHOR_EXTENSION) {
			if let Some(Value::Array(parts)) = e.get_mut("extension") {
				parts.push(json!({"url": "salt", "valueString": salt}));
				parts.push(json!({"url": "checkedAtBlock", "valueInteger": checked_at}));
				parts.push(json!({"url": "basis", "valueString": basis}));
				parts.push(json!({"url": "auditEvent", "valueString": audit}));
			}
		}
	}
}

/// A part of the anchor extension of a served resource (`recordId`, `salt`, ...).
pub fn anchor_part(resource: &Value, name: &str) -> Option<Value> {
	let exts = resource.pointer("/meta/extension")?.as_array()?;
	let anchor =
		exts.iter().find(|e| e.get("url").and_then(Value::as_str) == Some(ANCHOR_EXTENSION))?;
	let part = anchor
		.get("extension")?
		.as_array()?
		.iter()
		.find(|p| p.get("url").and_then(Value::as_str) == Some(name))?;
	part.as_object()?.iter().find(|(k, _)| k.starts_with("value")).map(|(_, v)| v.clone())
}

/// `OperationOutcome` with one issue.
pub fn outcome(severity: &str, code: &str, text: &str) -> Value {
	json!({
		"resourceType": "OperationOutcome",
		"issue": [{ "severity": severity, "code": code, "diagnostics": text }]
	})
}

/// The CapabilityStatement of this gateway.
pub fn capability_statement(base: &str, now: &str) -> Value {
	let resources: Vec<Value> = TYPES
        .iter()
        .map(|t| {
            json!({
                "type": t.name,
                "versioning": "versioned-update",
                "readHistory": true,
                "updateCreate": true,
                "conditionalDelete": "not-supported",
                "interaction": [
                    {"code": "read"}, {"code": "vread"}, {"code": "update"}, {"code": "delete"},
                    {"code": "history-instance"}, {"code": "create"}, {"code": "search-type"}
                ],
                "searchParam": [{"name": "patient", "type": "reference",
                    "documentation": "Resources about this patient (Patient/<id> or <id>)"}],
                "operation": [{"name": "anchor", "definition": format!("{base}/fhir/OperationDefinition/anchor")}]
            })
        })
        .collect();
	json!({
		"resourceType": "CapabilityStatement",
		"status": "active",
		"date": now,
		"kind": "instance",
		"software": {"name": "healthchain-gateway", "version": env!("CARGO_PKG_VERSION")},
		"implementation": {"description": "Healthchain gateway: every version anchored on chain", "url": format!("{base}/fhir")},
		"fhirVersion": "4.0.1",
		"format": ["application/fhir+json", "json"],
		"rest": [{
			"mode": "server",
			"documentation": "Every create, update and delete is anchored on the organisation's Healthchain node (records.anchorMany); a resource's anchor status is in meta.extension and in $anchor.",
			"resource": resources,
			"operation": [{"name": "verify", "definition": format!("{base}/fhir/OperationDefinition/verify")}]
		}]
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	fn info(name: &str) -> &'static TypeInfo {
		type_info(name).expect("supported")
	}

	#[test]
	fn scope_table() {
		let lab = json!({"resourceType": "Observation", "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}]});
		assert_eq!(scope_of(info("Observation"), &lab), Scope::Labs);
		let vital = json!({"resourceType": "Observation", "category": [{"coding": [{"code": "vital-signs"}]}]});
		assert_eq!(scope_of(info("Observation"), &vital), Scope::Clinical);
		let rad = json!({"resourceType": "DiagnosticReport", "category": [{"coding": [{"code": "RAD"}]}]});
		assert_eq!(scope_of(info("DiagnosticReport"), &rad), Scope::Imaging);
		let psy = json!({"resourceType": "Observation", "meta": {"security": [{"code": "PSY"}]}, "category": [{"coding": [{"code": "laboratory"}]}]});
		assert_eq!(scope_of(info("Observation"), &psy), Scope::MentalHealth);
		assert_eq!(scope_of(info("Claim"), &json!({})), Scope::Billing);
		assert_eq!(scope_of(info("MedicationRequest"), &json!({})), Scope::Medications);
		assert_eq!(scope_of(info("ImagingStudy"), &json!({})), Scope::Imaging);
		let gen = json!({"meta": {"security": [{"code": "GDIS"}]}});
		assert_eq!(scope_of(info("Condition"), &gen), Scope::Genomics);
	}

	#[test]
	fn patient_references_are_local_and_required() {
		let obs = json!({"subject": {"reference": "Patient/p-1"}});
		assert_eq!(patient_reference(info("Observation"), &obs).expect("ok"), "Patient/p-1");
		assert!(patient_reference(info("Observation"), &json!({})).is_err());
		let remote = json!({"subject": {"reference": "http://x/Patient/1"}});
		assert!(patient_reference(info("Observation"), &remote).is_err());
		let imm = json!({"patient": {"reference": "Patient/7"}});
		assert_eq!(patient_reference(info("Immunization"), &imm).expect("ok"), "Patient/7");
	}

	#[test]
	fn stored_form_sets_server_fields_and_the_anchor_extension_round_trips() {
		let body = json!({"resourceType": "Observation", "id": "ignored", "meta": {"versionId": "9", "security": [{"code": "N"}]}, "status": "final"});
		let Value::Object(map) = body else { panic!("object") };
		let stored = stored_form(map, "abc", 2, "2026-01-01T00:00:00Z");
		assert_eq!(stored["id"], "abc");
		assert_eq!(stored["meta"]["versionId"], "2");
		assert_eq!(stored["meta"]["security"][0]["code"], "N");
		let view =
			AnchorView { state: "pending".into(), record_id: "0x00".into(), ..Default::default() };
		let served = served_form(stored.clone(), &view);
		assert_eq!(served["meta"]["extension"][0]["url"], ANCHOR_EXTENSION);
		assert_eq!(anchored_form(served), stored);
	}

	#[test]
	fn ids() {
		assert!(valid_id("a-B.9"));
		assert!(!valid_id(""));
		assert!(!valid_id("a/b"));
		assert!(!valid_id(&"x".repeat(65)));
	}
}
