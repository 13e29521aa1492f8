//! The organisation-to-organisation exchange (docs/exchange.md).
//!
//! **Custodian side** (`/exchange/...`, requests signed by another organisation's chain key,
//! [`crate::signature`]): a read or a search releases a resource only when the chain's access
//! rule, evaluated on the **finalized** state ([`crate::access`]), lets the requesting
//! organisation have the record for the declared purpose (a patient's consent covering the
//! record's own scope, or an open break-glass window). A release carries the salt, so the
//! recipient verifies it against the anchor; it is written (AuditEvent + the disclosure to
//! record on chain) in one transaction with the request's nonce before the response. Every
//! refusal is an `OperationOutcome` naming the reason, and an AuditEvent. `/exchange/events`
//! streams (server-sent events) each new finalized version the subscriber is entitled to,
//! re-checked at delivery.
//!
//! **Recipient side** (internal): `POST /fhir/$retrieve` fetches a resource from a peer with
//! a signed request, verifies its digest against the chain and keeps a verified copy with its
//! provenance. `GET /fhir/AuditEvent` serves the audit trail (IHE BALP shape).

use std::{collections::HashMap, sync::Arc};

use axum::{
	body::Bytes,
	extract::{Path, Query, State},
	http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
	response::{
		sse::{Event, KeepAlive, Sse},
		IntoResponse, Response,
	},
};
use healthchain_chain::{AccountId32, Purpose, Verification, H256};
use serde_json::{json, Value};

use crate::{
	access::{basis_text, denial_text, purpose_code, purpose_from_code, purpose_index, Verdict},
	api::{fhir_json, AppState},
	audit::audit_event,
	error::GatewayError,
	fhir,
	metrics::labels,
	signature::{self, RequestSigner},
	store::{AuditRow, NewDisclosure, Received, ResourceRow, VersionRow},
};

type S = State<Arc<AppState>>;

/// A new finalized version, announced to subscribers.
#[derive(Clone, Debug)]
pub struct FinalizedVersion {
	pub resource_type: String,
	pub id: String,
	pub version: i64,
}

/// A requester whose signature verified and whose organisation may use the exchange.
#[derive(Clone, Debug)]
pub struct Peer {
	pub signer: AccountId32,
	pub organisation: AccountId32,
	pub purpose: Purpose,
	pub nonce: String,
	pub created: i64,
}

impl Peer {
	fn nonce(&self) -> Option<(&[u8], &str, i64)> {
		Some((&self.signer.0[..], self.nonce.as_str(), self.created))
	}
}

/// A refusal: the error (its status and sentence) and the AuditEvent outcome (4 denied,
/// 8 failed).
struct Refusal {
	error: GatewayError,
	outcome: i64,
}

impl Refusal {
	fn denied(error: GatewayError) -> Self {
		Self { error, outcome: 4 }
	}
	fn failed(error: GatewayError) -> Self {
		Self { error, outcome: 8 }
	}
}

fn new_audit(interaction: &str) -> AuditRow {
	AuditRow {
		id: uuid::Uuid::new_v4().to_string(),
		recorded_ms: crate::store::now_ms(),
		interaction: interaction.into(),
		..Default::default()
	}
}

fn hex0x(b: &[u8]) -> String {
	format!("0x{}", hex::encode(b))
}

fn unavailable(e: crate::access::AccessError) -> Refusal {
	Refusal::failed(GatewayError::ChainUnavailable(e.to_string()))
}

/// Refuse: audit the refusal (with the request's nonce when it has one), then answer.
async fn refuse(
	state: &AppState,
	mut audit: AuditRow,
	peer: Option<&Peer>,
	r: Refusal,
) -> Response {
	audit.outcome = r.outcome;
	audit.outcome_desc = Some(r.error.to_string());
	let interaction = audit.interaction.clone();
	let outcome = if r.outcome == 8 { "failed" } else { "denied" };
	state
		.metrics
		.exchange_requests
		.get_or_create(&labels(&[("interaction", &interaction), ("outcome", outcome)]))
		.inc();
	match state.store.commit_exchange(peer.and_then(Peer::nonce), &[(audit.clone(), None)]).await {
		Ok(true) => r.error.into_response(),
		Ok(false) => replayed(state, audit, peer).await,
		Err(e) => {
			tracing::error!(error = %e, "cannot write the AuditEvent of a refusal");
			r.error.into_response()
		}
	}
}

/// The nonce was used before: refuse (audited without the nonce).
async fn replayed(state: &AppState, mut audit: AuditRow, peer: Option<&Peer>) -> Response {
	let nonce = peer.map(|p| p.nonce.clone()).unwrap_or_default();
	let err = GatewayError::Unauthorized(signature::SignatureError::Replayed(nonce).to_string());
	audit.id = uuid::Uuid::new_v4().to_string();
	audit.outcome = 4;
	audit.outcome_desc = Some(err.to_string());
	audit.basis = None;
	audit.disclosure = None;
	if let Err(e) = state.store.commit_exchange(None, &[(audit, None)]).await {
		tracing::error!(error = %e, "cannot write the AuditEvent of a replay");
	}
	err.into_response()
}

/// Verify the signature, the purpose and the organisation (at the finalized head).
async fn authenticate(
	state: &AppState,
	method: &Method,
	uri: &Uri,
	headers: &HeaderMap,
	body: &[u8],
	audit: &mut AuditRow,
) -> Result<Peer, Refusal> {
	// What the request claims, for the audit trail even when it is refused.
	let claimed = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
	audit.requester = claimed(signature::headers::ORGANISATION)
		.and_then(|o| healthchain_chain::parse_account(&o).ok())
		.map(|a| a.0.to_vec());
	audit.purpose = claimed(signature::headers::PURPOSE);
	let genesis = state.access.genesis().ok_or_else(|| {
		Refusal::failed(GatewayError::ChainUnavailable(
			"the gateway has not reached its node yet, so it cannot check signatures and consent (fail closed)".into(),
		))
	})?;
	let now = time::OffsetDateTime::now_utc().unix_timestamp();
	let v = signature::verify(
		method.as_str(),
		uri.path(),
		uri.query(),
		headers,
		body,
		&state.organisation,
		&signature::chain_tag(&genesis),
		now,
		state.config.clock_skew_secs,
	)
	.map_err(|e| Refusal::denied(GatewayError::Unauthorized(e.to_string())))?;
	audit.signer = Some(v.signer.0.to_vec());
	let purpose = purpose_from_code(&v.purpose).ok_or_else(|| {
		Refusal::denied(GatewayError::Invalid(format!(
			"purpose {:?} is not one of treatment, payment, operations, research",
			v.purpose
		)))
	})?;
	match state.access.check_organisation(&v.signer, &v.organisation).await {
		Err(e) => return Err(unavailable(e)),
		Ok(Err(denial)) => {
			return Err(Refusal::denied(GatewayError::Forbidden(
				denial.text(&v.organisation, &v.signer),
			)))
		}
		Ok(Ok(())) => {}
	}
	Ok(Peer {
		signer: v.signer,
		organisation: v.organisation,
		purpose,
		nonce: v.nonce,
		created: v.created,
	})
}

fn type_of(rtype: &str) -> Result<&'static fhir::TypeInfo, GatewayError> {
	fhir::type_info(rtype).ok_or_else(|| GatewayError::UnsupportedType(rtype.into()))
}

/// A release: the resource as served, with what the recipient needs to verify it.
struct Release {
	body: Value,
	audit: AuditRow,
	disclosure: NewDisclosure,
}

/// Decide on one resource for `peer`; `Ok(Release)` or the refusal (with the audit row
/// filled in).
async fn release_one(
	state: &AppState,
	peer: &Peer,
	res: &ResourceRow,
	named_patient: Option<&AccountId32>,
	audit: &mut AuditRow,
) -> Result<Release, Refusal> {
	audit.resource_type = Some(res.resource_type.clone());
	audit.resource_id = Some(res.id.clone());
	audit.record_id = Some(res.record_id.clone());
	audit.patient = Some(res.subject.clone());
	if res.deleted {
		return Err(Refusal::denied(GatewayError::Gone(format!(
			"RecordRetracted: {}/{} was deleted and its record retracted; it is no longer disclosed",
			res.resource_type, res.id
		))));
	}
	let v: VersionRow = state
		.store
		.latest_finalized(&res.resource_type, &res.id)
		.await
		.map_err(Refusal::failed)?
		.ok_or_else(|| {
			Refusal::denied(GatewayError::Conflict(format!(
				"{}/{} is not anchored on a finalized block yet, so it cannot be verified; retry in a few seconds",
				res.resource_type, res.id
			)))
		})?;
	audit.version = Some(v.version);
	let record_id = H256(res.record_id.clone().try_into().map_err(|_| {
		Refusal::failed(GatewayError::Internal("a record id is not 32 bytes".into()))
	})?);
	let decision = state
		.access
		.decide(&peer.organisation, &record_id, &peer.purpose)
		.await
		.map_err(unavailable)?;
	audit.checked_at = Some(decision.at_number as i64);
	let (subject, basis) = match decision.verdict {
		Verdict::Denied(d) => {
			let (name, text) = denial_text(&d);
			return Err(Refusal::denied(GatewayError::Forbidden(format!(
				"{name}: {text} (the chain's rule at finalized block {})",
				decision.at_number
			))));
		}
		Verdict::Allowed { subject, basis, .. } => (subject, basis),
	};
	if subject.0.as_slice() != res.subject.as_slice() {
		return Err(Refusal::denied(GatewayError::Forbidden(
			"RecordNotOfPatient: this server's copy names another patient than the record on chain; it is not released".into(),
		)));
	}
	if let Some(p) = named_patient {
		if p != &subject {
			return Err(Refusal::denied(GatewayError::Forbidden(format!(
				"RecordNotOfPatient: {}/{} is not about patient {p}",
				res.resource_type, res.id
			))));
		}
	}
	let basis = basis_text(&basis);
	audit.basis = Some(basis.clone());
	audit.outcome = 0;
	audit.outcome_desc = Some(format!(
		"released version {} for {} on the basis of {basis}",
		v.version,
		purpose_code(&peer.purpose)
	));
	let salt = v.salt.as_deref().map(hex0x).ok_or_else(|| {
		Refusal::denied(GatewayError::Gone(format!(
			"{}/{} version {} was erased",
			res.resource_type, res.id, v.version
		)))
	})?;
	let content = v.content.as_deref().ok_or_else(|| {
		Refusal::denied(GatewayError::Gone(format!("{}/{} was erased", res.resource_type, res.id)))
	})?;
	let stored: Value = serde_json::from_str(content)
		.map_err(|e| Refusal::failed(GatewayError::Internal(e.to_string())))?;
	let mut body = fhir::served_form(stored, &crate::api::view_of(res, &v));
	fhir::add_release_details(&mut body, &salt, decision.at_number, &basis, &audit.id);
	Ok(Release {
		body,
		audit: audit.clone(),
		disclosure: NewDisclosure {
			recipient: peer.organisation.0.to_vec(),
			patient: subject.0.to_vec(),
			record_id: record_id.0.to_vec(),
			purpose: purpose_index(&peer.purpose),
			checked_at: decision.at_number as i64,
		},
	})
}

#[derive(serde::Deserialize)]
pub struct ReadQuery {
	patient: Option<String>,
}

/// `GET /exchange/fhir/{type}/{id}[?patient=<account>]`: a consent-checked read.
pub async fn read(
	State(state): S,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
	Path((rtype, id)): Path<(String, String)>,
	Query(q): Query<ReadQuery>,
	body: Bytes,
) -> Response {
	let mut audit = new_audit("read");
	audit.resource_type = Some(rtype.clone());
	audit.resource_id = Some(id.clone());
	let peer = match authenticate(&state, &method, &uri, &headers, &body, &mut audit).await {
		Ok(p) => p,
		Err(r) => return refuse(&state, audit, None, r).await,
	};
	let named = match q.patient.as_deref().map(healthchain_chain::parse_account).transpose() {
		Ok(p) => p,
		Err(e) => {
			let r = Refusal::denied(GatewayError::Invalid(format!("patient: {e}")));
			return refuse(&state, audit, Some(&peer), r).await;
		}
	};
	if let Err(e) = type_of(&rtype) {
		return refuse(&state, audit, Some(&peer), Refusal::denied(e)).await;
	}
	let res = match state.store.resource(&rtype, &id).await {
		Ok(Some(r)) => r,
		Ok(None) => {
			let r = Refusal::denied(GatewayError::NotFound(format!("{rtype}/{id} does not exist")));
			return refuse(&state, audit, Some(&peer), r).await;
		}
		Err(e) => return refuse(&state, audit, Some(&peer), Refusal::failed(e)).await,
	};
	let release = match release_one(&state, &peer, &res, named.as_ref(), &mut audit).await {
		Ok(r) => r,
		Err(r) => return refuse(&state, audit, Some(&peer), r).await,
	};
	match state
		.store
		.commit_exchange(peer.nonce(), &[(release.audit.clone(), Some(release.disclosure))])
		.await
	{
		Ok(true) => {}
		Ok(false) => return replayed(&state, audit, Some(&peer)).await,
		Err(e) => return e.into_response(),
	}
	state.disclosure_wake.notify_one();
	state
		.metrics
		.exchange_requests
		.get_or_create(&labels(&[("interaction", "read"), ("outcome", "released")]))
		.inc();
	let mut resp = fhir_json(StatusCode::OK, &release.body);
	let h = resp.headers_mut();
	for (k, v) in [
		("healthchain-record-id", fhir::anchor_part(&release.body, "recordId")),
		("healthchain-salt", fhir::anchor_part(&release.body, "salt")),
		("healthchain-checked-at", fhir::anchor_part(&release.body, "checkedAtBlock")),
		("healthchain-basis", fhir::anchor_part(&release.body, "basis")),
		("healthchain-audit-event", Some(Value::String(release.audit.id.clone()))),
	] {
		let text = match v {
			Some(Value::String(s)) => s,
			Some(other) => other.to_string(),
			None => continue,
		};
		if let Ok(hv) = HeaderValue::from_str(&text) {
			h.insert(k, hv);
		}
	}
	if let Some(Value::String(vid)) = release.body.pointer("/meta/versionId").cloned() {
		if let Ok(hv) = HeaderValue::from_str(&format!("W/\"{vid}\"")) {
			h.insert(header::ETAG, hv);
		}
	}
	resp
}

/// `GET /exchange/fhir/{type}?patient.identifier=urn:healthchain:account|<account>`: the
/// patient's resources of that type the requester may have (others are left out, each an
/// audited denial; their number is not revealed).
pub async fn search(
	State(state): S,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
	Path(rtype): Path<String>,
	Query(q): Query<HashMap<String, String>>,
	body: Bytes,
) -> Response {
	let mut audit = new_audit("search-type");
	audit.resource_type = Some(rtype.clone());
	let peer = match authenticate(&state, &method, &uri, &headers, &body, &mut audit).await {
		Ok(p) => p,
		Err(r) => return refuse(&state, audit, None, r).await,
	};
	let parsed = (|| {
		type_of(&rtype)?;
		for k in q.keys() {
			if !["patient.identifier", "_count", "_offset"].contains(&k.as_str()) {
				return Err(GatewayError::Invalid(format!(
					"search parameter {k:?} is not supported here (patient.identifier=urn:healthchain:account|<account>, _count, _offset)"
				)));
			}
		}
		let token = q.get("patient.identifier").ok_or_else(|| {
			GatewayError::Invalid(
				"a search names the patient: ?patient.identifier=urn:healthchain:account|<account>"
					.into(),
			)
		})?;
		let account = token.strip_prefix("urn:healthchain:account|").ok_or_else(|| {
			GatewayError::Invalid(format!(
				"patient.identifier {token:?} must be urn:healthchain:account|<account>"
			))
		})?;
		let patient = healthchain_chain::parse_account(account)
			.map_err(|e| GatewayError::Invalid(format!("patient.identifier: {e}")))?;
		let num = |k: &str, default: i64| -> Result<i64, GatewayError> {
			match q.get(k) {
				None => Ok(default),
				Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
					GatewayError::Invalid(format!("{k} {v:?} is not a non-negative number"))
				}),
			}
		};
		let count =
			num("_count", state.config.page_size as i64)?.min(state.config.max_page_size as i64);
		let offset = num("_offset", 0)?;
		Ok((patient, count, offset))
	})();
	let (patient, count, offset) = match parsed {
		Ok(p) => p,
		Err(e) => return refuse(&state, audit, Some(&peer), Refusal::denied(e)).await,
	};
	audit.patient = Some(patient.0.to_vec());
	let candidates = match state.store.search_subject(&rtype, &patient.0, offset, count).await {
		Ok(c) => c,
		Err(e) => return refuse(&state, audit, Some(&peer), Refusal::failed(e)).await,
	};
	let mut rows = Vec::new();
	let mut entries = Vec::new();
	let base = state.config.base();
	for res in &candidates {
		let mut a = new_audit("read");
		a.requester = Some(peer.organisation.0.to_vec());
		a.signer = Some(peer.signer.0.to_vec());
		a.purpose = Some(purpose_code(&peer.purpose).into());
		match release_one(&state, &peer, res, Some(&patient), &mut a).await {
			Ok(r) => {
				entries.push(json!({
					"fullUrl": format!("{base}/exchange/fhir/{}/{}", res.resource_type, res.id),
					"resource": r.body,
					"search": {"mode": "match"},
				}));
				rows.push((r.audit, Some(r.disclosure)));
			}
			Err(Refusal { error: GatewayError::ChainUnavailable(e), outcome }) => {
				let r = Refusal { error: GatewayError::ChainUnavailable(e), outcome };
				return refuse(&state, audit, Some(&peer), r).await;
			}
			Err(r) => {
				a.outcome = r.outcome;
				a.outcome_desc = Some(r.error.to_string());
				rows.push((a, None));
			}
		}
	}
	let released = entries.len();
	audit.outcome = 0;
	audit.outcome_desc = Some(format!("{released} resources released of the page searched"));
	audit.purpose = Some(purpose_code(&peer.purpose).into());
	rows.insert(0, (audit.clone(), None));
	match state.store.commit_exchange(peer.nonce(), &rows).await {
		Ok(true) => {}
		Ok(false) => return replayed(&state, audit, Some(&peer)).await,
		Err(e) => return e.into_response(),
	}
	if released > 0 {
		state.disclosure_wake.notify_one();
	}
	state
		.metrics
		.exchange_requests
		.get_or_create(&labels(&[("interaction", "search-type"), ("outcome", "released")]))
		.inc();
	let token = format!("urn:healthchain:account|{patient}");
	let page =
		|o: i64| {
			format!("{base}/exchange/fhir/{rtype}?patient.identifier={token}&_count={count}&_offset={o}")
		};
	let mut links = vec![json!({"relation": "self", "url": page(offset)})];
	if candidates.len() as i64 == count && count > 0 {
		links.push(json!({"relation": "next", "url": page(offset + count)}));
	}
	fhir_json(
		StatusCode::OK,
		&json!({"resourceType": "Bundle", "type": "searchset", "link": links, "entry": entries}),
	)
}

/// Decrements the subscriber gauge when a stream ends.
struct Subscribed(Arc<AppState>);

impl Drop for Subscribed {
	fn drop(&mut self) {
		self.0.metrics.subscribers.dec();
	}
}

#[derive(serde::Deserialize)]
pub struct EventsQuery {
	#[serde(rename = "_type")]
	types: Option<String>,
}

/// `GET /exchange/events[?_type=Observation,DiagnosticReport]`: server-sent events, one
/// `version` event per new finalized version of a resource the subscriber may have for its
/// declared purpose (checked when the event is delivered).
pub async fn events(
	State(state): S,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
	Query(q): Query<EventsQuery>,
	body: Bytes,
) -> Response {
	let mut audit = new_audit("subscribe");
	let peer = match authenticate(&state, &method, &uri, &headers, &body, &mut audit).await {
		Ok(p) => p,
		Err(r) => return refuse(&state, audit, None, r).await,
	};
	let types: Option<Vec<String>> =
		q.types.map(|t| t.split(',').map(|s| s.trim().to_string()).collect());
	if let Some(bad) = types.iter().flatten().find(|t| fhir::type_info(t).is_none()) {
		let r = Refusal::denied(GatewayError::Invalid(format!("_type {bad:?} is not kept here")));
		return refuse(&state, audit, Some(&peer), r).await;
	}
	audit.outcome = 0;
	audit.outcome_desc = Some("subscribed to new versions".into());
	match state.store.commit_exchange(peer.nonce(), &[(audit.clone(), None)]).await {
		Ok(true) => {}
		Ok(false) => return replayed(&state, audit, Some(&peer)).await,
		Err(e) => return e.into_response(),
	}
	state.metrics.subscribers.inc();
	let guard = Subscribed(state.clone());
	let rx = state.finalized_tx.subscribe();
	let closing = state.closing.clone();
	let stream = futures::stream::unfold(
		(rx, closing, state.clone(), peer, types, guard),
		|(mut rx, mut closing, state, peer, types, guard)| async move {
			loop {
				if *closing.borrow() {
					return None;
				}
				let msg = tokio::select! {
					m = rx.recv() => m,
					_ = closing.changed() => return None,
				};
				let v = match msg {
					Ok(v) => v,
					Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
						let ev = Event::default().event("lagged").data(format!(
							"{{\"missed\":{n},\"advice\":\"search again: some notifications were dropped\"}}"
						));
						return Some((
							Ok::<_, std::convert::Infallible>(ev),
							(rx, closing, state, peer, types, guard),
						));
					}
					Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
				};
				if types.as_ref().is_some_and(|t| !t.contains(&v.resource_type)) {
					continue;
				}
				let Ok(Some(res)) = state.store.resource(&v.resource_type, &v.id).await else {
					continue;
				};
				if res.deleted {
					continue;
				}
				let Ok(record): Result<[u8; 32], _> = res.record_id.clone().try_into() else {
					continue;
				};
				// Entitlement is checked now, at delivery, on the finalized state.
				match state.access.decide(&peer.organisation, &H256(record), &peer.purpose).await {
					Ok(d) if matches!(d.verdict, Verdict::Allowed { .. }) => {}
					_ => continue,
				}
				state.metrics.notifications.inc();
				let data = json!({
					"resourceType": v.resource_type,
					"id": v.id,
					"versionId": v.version.to_string(),
					"recordId": hex0x(&record),
					"url": format!("{}/exchange/fhir/{}/{}", state.config.base(), v.resource_type, v.id),
				});
				let ev = Event::default()
					.event("version")
					.id(format!("{}/{}/{}", v.resource_type, v.id, v.version))
					.data(data.to_string());
				return Some((Ok(ev), (rx, closing, state, peer, types, guard)));
			}
		},
	);
	Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

// ---- recipient side ----

/// `POST /fhir/$retrieve` (internal): Parameters `custodian` (account), `resource`
/// (`Type/id`), `purpose` (code), optional `patient` (account). Fetches the resource from the
/// custodian's gateway with a signed request, verifies it against its anchor on the
/// finalized chain, stores the verified copy and returns it with its provenance.
pub async fn retrieve(State(state): S, headers: HeaderMap, body: Bytes) -> Response {
	match retrieve_inner(&state, &headers, &body).await {
		Ok(r) => r,
		Err(e) => e.into_response(),
	}
}

async fn retrieve_inner(
	state: &AppState,
	headers: &HeaderMap,
	body: &Bytes,
) -> Result<Response, GatewayError> {
	if let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
		if !(ct.starts_with("application/fhir+json") || ct.starts_with("application/json")) {
			return Err(GatewayError::UnsupportedMediaType(format!(
				"Content-Type {ct:?} is not supported: send application/fhir+json"
			)));
		}
	}
	let params: Value =
		serde_json::from_slice(body).map_err(|e| GatewayError::MalformedJson(e.to_string()))?;
	if params.get("resourceType").and_then(Value::as_str) != Some("Parameters") {
		return Err(GatewayError::Invalid("$retrieve takes a Parameters resource".into()));
	}
	let get = |name: &str| {
		params["parameter"].as_array().into_iter().flatten().find(|p| p["name"] == name).and_then(
			|p| {
				p.as_object()?
					.iter()
					.find(|(k, _)| k.starts_with("value"))
					.and_then(|(_, v)| v.as_str().map(str::to_string))
			},
		)
	};
	let custodian = get("custodian").ok_or_else(|| {
		GatewayError::Invalid(
			"$retrieve needs the custodian organisation's account (parameter \"custodian\")".into(),
		)
	})?;
	let custodian = healthchain_chain::parse_account(&custodian)
		.map_err(|e| GatewayError::Invalid(format!("custodian: {e}")))?;
	let target = get("resource").ok_or_else(|| {
		GatewayError::Invalid(
			"$retrieve needs the resource to fetch (parameter \"resource\", e.g. Observation/123)"
				.into(),
		)
	})?;
	let (rtype, id) = target
		.split_once('/')
		.filter(|(t, i)| fhir::type_info(t).is_some() && fhir::valid_id(i))
		.ok_or_else(|| {
			GatewayError::Invalid(format!("resource {target:?} is not Type/id of a supported type"))
		})?;
	let purpose_text = get("purpose").unwrap_or_else(|| "treatment".into());
	purpose_from_code(&purpose_text).ok_or_else(|| {
		GatewayError::Invalid(format!(
			"purpose {purpose_text:?} is not one of treatment, payment, operations, research"
		))
	})?;
	let patient = get("patient")
		.map(|p| healthchain_chain::parse_account(&p))
		.transpose()
		.map_err(|e| GatewayError::Invalid(format!("patient: {e}")))?;
	let url = state.peers.get(&custodian.0).ok_or_else(|| {
		GatewayError::Unprocessable(format!(
			"organisation {custodian} is not a configured peer: add its gateway's URL under [peers]"
		))
	})?;
	let genesis = state.access.genesis().ok_or_else(|| {
		GatewayError::ChainUnavailable("the gateway has not reached its node yet".into())
	})?;
	let signer = RequestSigner::new(&state.signer, &genesis);
	let path = format!("/exchange/fhir/{rtype}/{id}");
	let query = patient.map(|p| format!("patient={p}"));
	let mut req = state.http.get(format!(
		"{}{path}{}",
		url.trim_end_matches('/'),
		query.as_ref().map(|q| format!("?{q}")).unwrap_or_default()
	));
	for (k, v) in signer.headers("GET", &path, query.as_deref(), b"", &custodian, &purpose_text) {
		req = req.header(k, v);
	}
	let resp = req.send().await.map_err(|e| {
		GatewayError::BadGateway(format!("the custodian's gateway at {url} is unreachable: {e}"))
	})?;
	let status = resp.status();
	let text = resp.text().await.map_err(|e| {
		GatewayError::BadGateway(format!("the custodian's gateway at {url} broke off: {e}"))
	})?;
	let answer: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
	if !status.is_success() {
		let diag =
			answer["issue"][0]["diagnostics"].as_str().unwrap_or("no reason given").to_string();
		return Err(match status.as_u16() {
			403 => GatewayError::Forbidden(format!("the custodian refused: {diag}")),
			404 => GatewayError::NotFound(format!("the custodian has no {rtype}/{id}: {diag}")),
			409 => GatewayError::Conflict(format!("the custodian cannot release it yet: {diag}")),
			410 => GatewayError::Gone(format!("the custodian no longer discloses it: {diag}")),
			503 => GatewayError::ChainUnavailable(format!(
				"the custodian cannot check consent: {diag}"
			)),
			s => GatewayError::BadGateway(format!("the custodian answered {s}: {diag}")),
		});
	}
	let bad = |why: String| {
		GatewayError::BadGateway(format!("the custodian's answer cannot be accepted: {why}"))
	};
	let part = |name: &str| {
		fhir::anchor_part(&answer, name)
			.and_then(|v| v.as_str().map(str::to_string))
			.ok_or_else(|| bad(format!("it lacks the {name} of the release")))
	};
	let record_id =
		healthchain_digest::parse_hex32(&part("recordId")?).map_err(|e| bad(e.to_string()))?;
	let salt = healthchain_digest::parse_salt(&part("salt")?).map_err(|e| bad(e.to_string()))?;
	let basis = part("basis").ok();
	let source_audit = part("auditEvent").ok();
	let anchored = fhir::anchored_form(answer.clone());
	if anchored.get("resourceType").and_then(Value::as_str) != Some(rtype)
		|| anchored.get("id").and_then(Value::as_str) != Some(id)
	{
		return Err(bad(format!("it is not {rtype}/{id}")));
	}
	let canonical = healthchain_digest::canonical_json(anchored.to_string().as_bytes())
		.map_err(|e| bad(e.to_string()))?;
	let digest =
		healthchain_digest::record_digest(&salt, &canonical, healthchain_digest::Content::Raw)
			.map_err(|e| GatewayError::Internal(e.to_string()))?;
	// Verify against the chain at this gateway's own finalized head.
	let (n, h) = state.access.head().ok_or_else(|| {
		GatewayError::ChainUnavailable("not following finalized blocks: cannot verify".into())
	})?;
	let chain = state
		.access
		.reader_chain()
		.await
		.map_err(|e| GatewayError::ChainUnavailable(e.to_string()))?;
	let at = chain.at(h).await.map_err(|e| GatewayError::ChainUnavailable(e.to_string()))?;
	let entry = at
		.record(H256(record_id))
		.await
		.map_err(|e| GatewayError::ChainUnavailable(e.to_string()))?
		.ok_or_else(|| bad(format!("record {} is not on chain", hex0x(&record_id))))?;
	if entry.author != custodian {
		return Err(bad(format!(
			"record {} was anchored by {}, not by the custodian",
			hex0x(&record_id),
			entry.author
		)));
	}
	if let Some(p) = &patient {
		if &entry.subject != p {
			return Err(bad("the record on chain is about another patient".into()));
		}
	}
	let (result, version) = match at
		.verify(H256(record_id), H256(digest))
		.await
		.map_err(|e| GatewayError::ChainUnavailable(e.to_string()))?
	{
		Verification::Valid { version } => ("current", version),
		Verification::Superseded { version, .. } => ("superseded", version),
		Verification::Retracted => return Err(bad("the record was retracted on chain".into())),
		Verification::Unknown => {
			return Err(bad(
				"its digest matches no anchored version of the record: it was altered".into()
			))
		}
	};
	let content =
		String::from_utf8(canonical).map_err(|e| GatewayError::Internal(e.to_string()))?;
	let seq = state
		.store
		.insert_received(&Received {
			custodian: custodian.0.to_vec(),
			resource_type: rtype.into(),
			id: id.into(),
			version: i64::from(version),
			record_id: record_id.to_vec(),
			patient: entry.subject.0.to_vec(),
			content,
			salt: salt.to_vec(),
			digest: digest.to_vec(),
			verified_block: n as i64,
			verified_hash: h.0.to_vec(),
			purpose: purpose_text.clone(),
			basis: basis.clone(),
			source_audit: source_audit.clone(),
		})
		.await?;
	let mut out = vec![
		json!({"name": "resource", "resource": anchored}),
		json!({"name": "custodian", "valueString": custodian.to_string()}),
		json!({"name": "recordId", "valueString": hex0x(&record_id)}),
		json!({"name": "version", "valueInteger": version}),
		json!({"name": "digest", "valueString": hex0x(&digest)}),
		json!({"name": "verification", "valueCode": result}),
		json!({"name": "verifiedAtBlock", "valueInteger": n}),
		json!({"name": "received", "valueString": seq.to_string()}),
	];
	if let Some(b) = basis {
		out.push(json!({"name": "basis", "valueString": b}));
	}
	if let Some(a) = source_audit {
		out.push(json!({"name": "custodianAuditEvent", "valueString": a}));
	}
	Ok(fhir_json(StatusCode::OK, &json!({"resourceType": "Parameters", "parameter": out})))
}

// ---- the audit trail ----

/// `GET /fhir/AuditEvent[?patient=<account>&agent=<account>&outcome=0|4|8&_count&_offset]`.
pub async fn audit_search(
	State(state): S,
	Query(q): Query<HashMap<String, String>>,
) -> Result<Response, GatewayError> {
	for k in q.keys() {
		if !["patient", "agent", "outcome", "_count", "_offset"].contains(&k.as_str()) {
			return Err(GatewayError::Invalid(format!(
				"search parameter {k:?} is not supported (patient, agent, outcome, _count, _offset)"
			)));
		}
	}
	let account = |k: &str| {
		q.get(k)
			.map(|v| healthchain_chain::parse_account(v).map(|a| a.0.to_vec()))
			.transpose()
			.map_err(|e| GatewayError::Invalid(format!("{k}: {e}")))
	};
	let patient = account("patient")?;
	let agent = account("agent")?;
	let outcome = q
		.get("outcome")
		.map(|o| match o.as_str() {
			"0" | "4" | "8" => o.parse::<i64>().map_err(|e| GatewayError::Invalid(e.to_string())),
			_ => Err(GatewayError::Invalid(format!("outcome {o:?} is not 0, 4 or 8"))),
		})
		.transpose()?;
	let num = |k: &str, d: i64| -> Result<i64, GatewayError> {
		match q.get(k) {
			None => Ok(d),
			Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
				GatewayError::Invalid(format!("{k} {v:?} is not a non-negative number"))
			}),
		}
	};
	let count =
		num("_count", state.config.page_size as i64)?.min(state.config.max_page_size as i64);
	let offset = num("_offset", 0)?;
	let rows = state
		.store
		.audit_events(None, patient.as_deref(), agent.as_deref(), outcome, offset, count)
		.await?;
	let server = state.organisation.to_string();
	let base = state.config.base();
	let entries: Vec<Value> = rows
		.iter()
		.map(|a| {
			json!({
				"fullUrl": format!("{base}/fhir/AuditEvent/{}", a.id),
				"resource": audit_event(a, &server),
				"search": {"mode": "match"},
			})
		})
		.collect();
	Ok(fhir_json(
		StatusCode::OK,
		&json!({"resourceType": "Bundle", "type": "searchset", "entry": entries}),
	))
}

/// `GET /fhir/AuditEvent/{id}`.
pub async fn audit_read(State(state): S, Path(id): Path<String>) -> Result<Response, GatewayError> {
	let rows = state.store.audit_events(Some(&id), None, None, None, 0, 1).await?;
	let a = rows
		.first()
		.ok_or_else(|| GatewayError::NotFound(format!("AuditEvent/{id} does not exist")))?;
	Ok(fhir_json(StatusCode::OK, &audit_event(a, &state.organisation.to_string())))
}
