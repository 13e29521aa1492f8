//! The HTTP API: FHIR R4 REST under `/fhir`, `/health`, `/metrics`.

use std::{sync::Arc, time::Instant};

use axum::{
	body::Bytes,
	extract::{
		rejection::BytesRejection, DefaultBodyLimit, MatchedPath, Path, Query, Request, State,
	},
	http::{header, HeaderMap, HeaderValue, StatusCode},
	middleware::{self, Next},
	response::{IntoResponse, Response},
	routing::{get, post},
	Router,
};
use healthchain_chain::{AccountId32, Chain, Verification};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use tokio::sync::{Mutex, Notify};

use crate::{
	anchorer::ChainStatus,
	config::Config,
	error::GatewayError,
	fhir::{self, AnchorView, TypeInfo},
	metrics::{labels, Metrics},
	store::{NewVersion, ResourceRow, Store, VersionRow},
};

/// What every handler shares.
pub struct AppState {
	pub store: Arc<Store>,
	pub config: Config,
	pub metrics: Arc<Metrics>,
	pub status: Arc<ChainStatus>,
	pub wake: Arc<Notify>,
	/// The organisation the gateway anchors for (record ids derive from it).
	pub organisation: AccountId32,
	/// A connection for reads from the chain (`$verify`), made on first use.
	pub reader: Mutex<Option<Chain>>,
	/// Access decisions on finalized state (the exchange).
	pub access: Arc<crate::access::Access>,
	/// Woken by every release (the disclosure recorder).
	pub disclosure_wake: Arc<Notify>,
	/// New finalized versions, for subscribers.
	pub finalized_tx: tokio::sync::broadcast::Sender<crate::exchange::FinalizedVersion>,
	/// The key the gateway signs with (also its requests to peers).
	pub signer: healthchain_chain::Signer,
	/// Other organisations' gateways (for `$retrieve`).
	pub peers: HashMap<[u8; 32], String>,
	/// The HTTP client for peers.
	pub http: reqwest::Client,
	/// Turns true when the server shuts down (event streams end).
	pub closing: tokio::sync::watch::Receiver<bool>,
}

type S = State<Arc<AppState>>;
type R = Result<Response, GatewayError>;

/// The chain's limit on versions per record (`records.MaxVersions`).
const MAX_VERSIONS: i64 = 256;

/// The organisation-to-organisation API (signed requests from other organisations).
pub fn exchange_router(state: Arc<AppState>) -> Router {
	let limit = state.config.max_body_bytes;
	Router::new()
		.route("/exchange/events", get(crate::exchange::events))
		.route("/exchange/fhir/{rtype}", get(crate::exchange::search))
		.route("/exchange/fhir/{rtype}/{id}", get(crate::exchange::read))
		.layer(DefaultBodyLimit::max(limit))
		.layer(middleware::from_fn_with_state(state.clone(), track))
		.with_state(state)
}

/// The internal API (the organisation's own systems), with the exchange API unless it has
/// its own listener.
pub fn router(state: Arc<AppState>) -> Router {
	let limit = state.config.max_body_bytes;
	let internal = internal_router(state.clone(), limit);
	if state.config.exchange_listen.is_some() {
		internal
	} else {
		internal.merge(exchange_router(state))
	}
}

fn internal_router(state: Arc<AppState>, limit: usize) -> Router {
	Router::new()
		.route("/health", get(health))
		.route("/metrics", get(metrics))
		.route("/fhir/metadata", get(metadata))
		.route("/fhir/$verify", post(verify))
		.route("/fhir/$retrieve", post(crate::exchange::retrieve))
		.route("/fhir/AuditEvent", get(crate::exchange::audit_search))
		.route("/fhir/AuditEvent/{id}", get(crate::exchange::audit_read))
		.route("/fhir/{rtype}", post(create).get(search))
		.route("/fhir/{rtype}/{id}", get(read).put(update).delete(delete))
		.route("/fhir/{rtype}/{id}/_history", get(history))
		.route("/fhir/{rtype}/{id}/_history/{vid}", get(vread))
		.route("/fhir/{rtype}/{id}/$anchor", get(anchor_status))
		.route("/fhir/OperationDefinition/{name}", get(operation_definition))
		.fallback(not_found)
		.method_not_allowed_fallback(method_not_allowed)
		.layer(DefaultBodyLimit::max(limit))
		.layer(middleware::from_fn_with_state(state.clone(), track))
		.with_state(state)
}

/// Request metrics and a trace line per request.
async fn track(State(state): S, req: Request, next: Next) -> Response {
	let start = Instant::now();
	let method = req.method().to_string();
	let route = req
		.extensions()
		.get::<MatchedPath>()
		.map(|p| p.as_str().to_string())
		.unwrap_or_else(|| "unmatched".into());
	let response = next.run(req).await;
	let status = response.status().as_u16().to_string();
	state
		.metrics
		.requests
		.get_or_create(&labels(&[("method", &method), ("route", &route), ("status", &status)]))
		.inc();
	state
		.metrics
		.request_seconds
		.get_or_create(&labels(&[("method", &method), ("route", &route)]))
		.observe(start.elapsed().as_secs_f64());
	tracing::debug!(%method, %route, %status, elapsed_ms = start.elapsed().as_millis() as u64, "request");
	response
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
	let body = fhir::outcome(
		"error",
		"not-supported",
		&format!("{method} is not supported on {} (see /fhir/metadata)", uri.path()),
	);
	fhir_json(StatusCode::METHOD_NOT_ALLOWED, &body)
}

/// The definitions of `$anchor` and `$verify` the CapabilityStatement points at.
async fn operation_definition(State(state): S, Path(name): Path<String>) -> R {
	let base = state.config.base();
	let param = |name: &str, use_: &str, min: u32, max: &str, ty: &str, doc: &str| json!({"name": name, "use": use_, "min": min, "max": max, "type": ty, "documentation": doc});
	let (code, instance, system, doc, params) = match name.as_str() {
        "anchor" => ("anchor", true, false, "The anchor status of a version of this resource (default: the current one).", vec![
            param("version", "in", 0, "1", "integer", "The version (default: current)"),
            param("status", "out", 1, "1", "code", "pending | in_block | finalized | failed"),
            param("recordId", "out", 1, "1", "string", "The record's on-chain id (0x hex)"),
            param("digest", "out", 0, "1", "string", "The version's salted digest"),
            param("salt", "out", 0, "1", "string", "The version's salt (absent once erased)"),
            param("blockNumber", "out", 0, "1", "integer", "The block holding the anchor"),
            param("blockHash", "out", 0, "1", "string", "That block's hash"),
            param("error", "out", 0, "1", "string", "Why the chain refused it (failed)"),
            param("acknowledgedMs", "out", 1, "1", "integer64", "When the write was acknowledged (ms since the epoch)"),
            param("finalizedMs", "out", 0, "1", "integer64", "When its block was seen finalized"),
        ]),
        "verify" => ("verify", false, true, "Whether a resource and its salt match an anchored version on chain (as of the finalized block).", vec![
            param("resource", "in", 1, "1", "Resource", "The resource (as served; the anchor extension is ignored)"),
            param("salt", "in", 1, "1", "string", "The salt it was anchored with (hex)"),
            param("recordId", "in", 0, "1", "string", "The record's on-chain id, when the resource is not on this server"),
            param("result", "out", 1, "1", "code", "current | superseded | retracted | unknown"),
            param("version", "out", 0, "1", "integer", "The matching version"),
            param("latest", "out", 0, "1", "integer", "The latest version (superseded)"),
        ]),
        _ => return Err(GatewayError::NotFound(format!("OperationDefinition/{name} does not exist"))),
    };
	Ok(fhir_json(
		StatusCode::OK,
		&json!({
			"resourceType": "OperationDefinition",
			"id": code,
			"url": format!("{base}/fhir/OperationDefinition/{code}"),
			"name": code,
			"status": "active",
			"kind": "operation",
			"code": code,
			"description": doc,
			"system": system,
			"type": false,
			"instance": instance,
			"affectsState": false,
			"parameter": params,
		}),
	))
}

async fn not_found() -> GatewayError {
	GatewayError::NotFound(
		"no such endpoint: the FHIR API is under /fhir (see /fhir/metadata)".into(),
	)
}

pub(crate) fn fhir_json(status: StatusCode, body: &Value) -> Response {
	(status, [(header::CONTENT_TYPE, "application/fhir+json")], body.to_string()).into_response()
}

fn now_rfc3339() -> String {
	time::OffsetDateTime::now_utc()
		.format(&time::format_description::well_known::Rfc3339)
		.unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

fn hex0x(b: &[u8]) -> String {
	format!("0x{}", hex::encode(b))
}

// ---- health and metrics ----

async fn health(State(state): S) -> Response {
	use std::sync::atomic::Ordering::Relaxed;
	let db = state.store.ping().await;
	let stats = state.store.stats().await.ok();
	let disclosures = state.store.disclosure_stats().await.ok();
	let (following, decided_at, follow_error, cached) = state.access.status();
	let body = json!({
		"status": if db { "ok" } else { "database unavailable" },
		"database": {"backend": format!("{:?}", state.store.backend()).to_lowercase(), "ok": db},
		"chain": {
			"url": state.config.chain_url,
			"connected": state.status.connected.load(Relaxed),
			"bestBlock": state.status.best.load(Relaxed),
			"finalizedBlock": state.status.finalized.load(Relaxed),
			"error": state.status.error.lock().ok().and_then(|e| e.clone()),
		},
		"organisation": state.organisation.to_string(),
		"outbox": stats.map(|s| json!({
			"depth": s.outbox_depth, "pending": s.pending, "inBlock": s.in_block,
			"finalized": s.finalized, "failed": s.failed,
			"oldestAgeSeconds": s.oldest_outbox_ms.map(|t| (crate::store::now_ms() - t) as f64 / 1000.0),
		})),
		"exchange": {
			"following": following,
			"finalizedBlock": decided_at,
			"error": follow_error,
			"cachedDecisions": cached,
			"disclosures": disclosures.map(|d| json!({
				"pending": d.pending, "inBlock": d.in_block, "finalized": d.finalized, "failed": d.failed,
				"oldestAgeSeconds": d.oldest_pending_ms.map(|t| (crate::store::now_ms() - t) as f64 / 1000.0),
			})),
		},
	});
	let status = if db { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
	(status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn metrics(State(state): S) -> Response {
	if let Ok(stats) = state.store.stats().await {
		state.metrics.set_store(&stats);
	}
	if let Ok(d) = state.store.disclosure_stats().await {
		state.metrics.set_disclosures(&d);
	}
	(
		[(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
		state.metrics.render(),
	)
		.into_response()
}

async fn metadata(State(state): S) -> Response {
	fhir_json(StatusCode::OK, &fhir::capability_statement(&state.config.base(), &now_rfc3339()))
}

// ---- input ----

fn type_of(rtype: &str) -> Result<&'static TypeInfo, GatewayError> {
	fhir::type_info(rtype).ok_or_else(|| GatewayError::UnsupportedType(rtype.into()))
}

fn check_content_type(headers: &HeaderMap) -> Result<(), GatewayError> {
	let Some(ct) = headers.get(header::CONTENT_TYPE) else { return Ok(()) };
	let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
	if ct.starts_with("application/fhir+json") || ct.starts_with("application/json") {
		Ok(())
	} else {
		Err(GatewayError::UnsupportedMediaType(format!(
			"Content-Type {ct:?} is not supported: send application/fhir+json"
		)))
	}
}

/// The body as a JSON object, with the limit and media type checked.
fn json_body(
	headers: &HeaderMap,
	body: Result<Bytes, BytesRejection>,
	limit: usize,
) -> Result<Map<String, Value>, GatewayError> {
	check_content_type(headers)?;
	let bytes = body.map_err(|rejection| {
		if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
			GatewayError::TooLarge(limit)
		} else {
			GatewayError::Invalid(format!("the request body could not be read: {rejection}"))
		}
	})?;
	let value: Value =
		serde_json::from_slice(&bytes).map_err(|e| GatewayError::MalformedJson(e.to_string()))?;
	match value {
		Value::Object(m) => Ok(m),
		_ => Err(GatewayError::Invalid(
			"the request body must be a FHIR resource (a JSON object)".into(),
		)),
	}
}

fn check_resource_type(info: &TypeInfo, body: &Map<String, Value>) -> Result<(), GatewayError> {
	match body.get("resourceType").and_then(Value::as_str) {
		None => Err(GatewayError::Invalid("the resource has no resourceType".into())),
		Some(t) if t == info.name => Ok(()),
		Some(t) if fhir::type_info(t).is_none() => Err(GatewayError::Invalid(format!(
			"resourceType {t:?} is not supported by this server (it keeps: {})",
			fhir::TYPES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
		))),
		Some(t) => Err(GatewayError::Invalid(format!(
			"the body's resourceType {t:?} does not match the URL's {:?}",
			info.name
		))),
	}
}

/// `If-Match: W/"3"` → 3.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, GatewayError> {
	let Some(v) = headers.get(header::IF_MATCH) else { return Ok(None) };
	let s = v.to_str().unwrap_or("").trim();
	let inner = s.trim_start_matches("W/").trim_matches('"');
	inner.parse::<i64>().map(Some).map_err(|_| {
		GatewayError::Invalid(format!("If-Match {s:?} is not a version ETag such as W/\"2\""))
	})
}

fn etag(version: i64) -> HeaderValue {
	HeaderValue::from_str(&format!("W/\"{version}\""))
		.unwrap_or(HeaderValue::from_static("W/\"0\""))
}

// ---- the patient and the record ----

struct Subject {
	patient: String,
	account: Vec<u8>,
}

async fn subject_of(
	state: &AppState,
	info: &TypeInfo,
	body: &Value,
	id: &str,
) -> Result<Subject, GatewayError> {
	if info.name == "Patient" {
		let account = fhir::patient_account(body).map_err(GatewayError::Unprocessable)?;
		let account = healthchain_chain::parse_account(&account).map_err(|e| {
			GatewayError::Unprocessable(format!("the patient's chain account: {e}"))
		})?;
		return Ok(Subject { patient: format!("Patient/{id}"), account: account.0.to_vec() });
	}
	let patient = fhir::patient_reference(info, body).map_err(GatewayError::Unprocessable)?;
	let pid = patient.trim_start_matches("Patient/");
	match state.store.resource("Patient", pid).await? {
		None => Err(GatewayError::Unprocessable(format!(
			"{patient} is not on this server: create the Patient (with its chain account) first"
		))),
		Some(p) if p.deleted => Err(GatewayError::Unprocessable(format!("{patient} was deleted"))),
		Some(p) => Ok(Subject { patient, account: p.subject }),
	}
}

/// Salt, stored form and digest of a new version.
struct Prepared {
	content: String,
	salt: [u8; 32],
	digest: [u8; 32],
}

fn prepare(
	body: Map<String, Value>,
	id: &str,
	version: i64,
	last_updated: &str,
) -> Result<Prepared, GatewayError> {
	let stored = fhir::stored_form(body, id, version, last_updated);
	let canonical = healthchain_digest::canonical_json(stored.to_string().as_bytes())
		.map_err(|e| GatewayError::Invalid(e.to_string()))?;
	let salt =
		healthchain_digest::random_salt().map_err(|e| GatewayError::Internal(e.to_string()))?;
	let digest =
		healthchain_digest::record_digest(&salt, &canonical, healthchain_digest::Content::Raw)
			.map_err(|e| GatewayError::Internal(e.to_string()))?;
	let content =
		String::from_utf8(canonical).map_err(|e| GatewayError::Internal(e.to_string()))?;
	Ok(Prepared { content, salt, digest })
}

pub(crate) fn view_of(res: &ResourceRow, v: &VersionRow) -> AnchorView {
	AnchorView {
		state: v.anchor_state.clone(),
		record_id: hex0x(&res.record_id),
		digest: v.digest.as_deref().map(hex0x),
		block_number: v.block_number,
		block_hash: v.block_hash.as_deref().map(hex0x),
		error: v.anchor_error.clone(),
		acknowledged_ms: v.created_ms,
		finalized_ms: v.finalized_ms,
	}
}

fn served(res: &ResourceRow, v: &VersionRow) -> Result<Value, GatewayError> {
	let content = v.content.as_deref().ok_or_else(|| {
		GatewayError::Gone(format!(
			"{}/{} version {} was erased",
			res.resource_type, res.id, v.version
		))
	})?;
	let stored: Value =
		serde_json::from_str(content).map_err(|e| GatewayError::Internal(e.to_string()))?;
	Ok(fhir::served_form(stored, &view_of(res, v)))
}

fn resource_response(status: StatusCode, state: &AppState, res: &ResourceRow, v: &VersionRow) -> R {
	let body = served(res, v)?;
	let mut resp = fhir_json(status, &body);
	let h = resp.headers_mut();
	h.insert(header::ETAG, etag(v.version));
	if let Ok(lm) =
		time::OffsetDateTime::parse(&v.last_updated, &time::format_description::well_known::Rfc3339)
	{
		let imf = time::macros::format_description!(
			"[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
		);
		if let Ok(s) = lm.to_offset(time::UtcOffset::UTC).format(&imf) {
			if let Ok(hv) = HeaderValue::from_str(&s) {
				h.insert(header::LAST_MODIFIED, hv);
			}
		}
	}
	if status == StatusCode::CREATED {
		let loc = format!(
			"{}/fhir/{}/{}/_history/{}",
			state.config.base(),
			res.resource_type,
			res.id,
			v.version
		);
		if let Ok(hv) = HeaderValue::from_str(&loc) {
			h.insert(header::LOCATION, hv);
		}
	}
	Ok(resp)
}

async fn load(
	state: &AppState,
	rtype: &str,
	id: &str,
) -> Result<(ResourceRow, VersionRow), GatewayError> {
	let res = state
		.store
		.resource(rtype, id)
		.await?
		.ok_or_else(|| GatewayError::NotFound(format!("{rtype}/{id} does not exist")))?;
	let v =
		state.store.version(rtype, id, res.current_version).await?.ok_or_else(|| {
			GatewayError::Internal(format!("{rtype}/{id} has no current version"))
		})?;
	Ok((res, v))
}

// ---- create / update / delete ----

async fn create(
	State(state): S,
	Path(rtype): Path<String>,
	headers: HeaderMap,
	body: Result<Bytes, BytesRejection>,
) -> R {
	let info = type_of(&rtype)?;
	let body = json_body(&headers, body, state.config.max_body_bytes)?;
	check_resource_type(info, &body)?;
	let id = uuid::Uuid::new_v4().to_string();
	create_with_id(&state, info, body, id).await
}

async fn create_with_id(
	state: &AppState,
	info: &TypeInfo,
	body: Map<String, Value>,
	id: String,
) -> R {
	let value = Value::Object(body.clone());
	let subject = subject_of(state, info, &value, &id).await?;
	let scope = fhir::scope_of(info, &value);
	let last_updated = now_rfc3339();
	let prepared = prepare(body, &id, 1, &last_updated)?;
	let local_id =
		healthchain_digest::random_salt().map_err(|e| GatewayError::Internal(e.to_string()))?;
	let record_id = healthchain_chain::record_id_of(&state.organisation, &local_id);
	let res = ResourceRow {
		resource_type: info.name.into(),
		id: id.clone(),
		local_id: local_id.to_vec(),
		record_id: record_id.0.to_vec(),
		patient: subject.patient,
		subject: subject.account,
		scope: scope.code(),
		kind: i64::from(info.kind),
		current_version: 1,
		deleted: false,
	};
	let created = state
		.store
		.create(
			&res,
			&NewVersion {
				op: "anchor",
				content: Some(&prepared.content),
				salt: Some(&prepared.salt),
				digest: Some(&prepared.digest),
				last_updated: &last_updated,
				retract_reason: None,
			},
		)
		.await?;
	if !created {
		return Err(GatewayError::Conflict(format!("{}/{id} already exists", info.name)));
	}
	state.wake.notify_one();
	let v = state
		.store
		.version(info.name, &id, 1)
		.await?
		.ok_or_else(|| GatewayError::Internal("the new version vanished".into()))?;
	tracing::info!(resource = %format!("{}/{id}", info.name), scope = scope.name(), "created");
	resource_response(StatusCode::CREATED, state, &res, &v)
}

async fn update(
	State(state): S,
	Path((rtype, id)): Path<(String, String)>,
	headers: HeaderMap,
	body: Result<Bytes, BytesRejection>,
) -> R {
	let info = type_of(&rtype)?;
	if !fhir::valid_id(&id) {
		return Err(GatewayError::Invalid(format!(
			"{id:?} is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .)"
		)));
	}
	let body = json_body(&headers, body, state.config.max_body_bytes)?;
	check_resource_type(info, &body)?;
	match body.get("id").and_then(Value::as_str) {
		None => {
			return Err(GatewayError::Invalid(
				"an update must carry the resource's id in the body".into(),
			))
		}
		Some(b) if b != id => {
			return Err(GatewayError::Invalid(format!(
				"the body's id {b:?} does not match the URL's {id:?}"
			)))
		}
		Some(_) => {}
	}
	let expected = if_match(&headers)?;
	let Some(res) = state.store.resource(&rtype, &id).await? else {
		if let Some(v) = expected {
			return Err(GatewayError::PreconditionFailed(format!(
				"If-Match W/\"{v}\" but {rtype}/{id} does not exist"
			)));
		}
		// Update as create, with the client's id.
		return create_with_id(&state, info, body, id).await;
	};
	if res.deleted {
		return Err(GatewayError::Conflict(format!(
            "{rtype}/{id} was deleted and its record retracted on chain; create a new resource instead"
        )));
	}
	if let Some(v) = expected {
		if v != res.current_version {
			return Err(GatewayError::PreconditionFailed(format!(
				"If-Match W/\"{v}\" is stale: {rtype}/{id} is at version {}",
				res.current_version
			)));
		}
	}
	if res.current_version >= MAX_VERSIONS {
		return Err(GatewayError::Unprocessable(format!(
            "{rtype}/{id} has {MAX_VERSIONS} versions, the chain's limit per record; create a new resource"
        )));
	}
	let value = Value::Object(body.clone());
	let subject = subject_of(&state, info, &value, &id).await?;
	if subject.account != res.subject || subject.patient != res.patient {
		return Err(GatewayError::Unprocessable(format!(
            "a record's patient is fixed on chain ({}); delete {rtype}/{id} and create a new resource for another patient",
            res.patient
        )));
	}
	let scope = fhir::scope_of(info, &value);
	if scope.code() != res.scope {
		let was = fhir::Scope::from_code(res.scope).map(|s| s.name()).unwrap_or("?");
		return Err(GatewayError::Unprocessable(format!(
            "a record's scope is fixed on chain: {rtype}/{id} is {was}, this version would be {}; delete it and create a new resource",
            scope.name()
        )));
	}
	let version = res.current_version + 1;
	let last_updated = now_rfc3339();
	let prepared = prepare(body, &id, version, &last_updated)?;
	let ok = state
		.store
		.add_version(
			&rtype,
			&id,
			res.current_version,
			&NewVersion {
				op: "amend",
				content: Some(&prepared.content),
				salt: Some(&prepared.salt),
				digest: Some(&prepared.digest),
				last_updated: &last_updated,
				retract_reason: None,
			},
			false,
		)
		.await?;
	if !ok {
		return Err(GatewayError::PreconditionFailed(format!(
			"{rtype}/{id} changed while this update was processed; read it again and retry"
		)));
	}
	state.wake.notify_one();
	let (res, v) = load(&state, &rtype, &id).await?;
	resource_response(StatusCode::OK, &state, &res, &v)
}

#[derive(serde::Deserialize)]
struct DeleteQuery {
	reason: Option<String>,
}

async fn delete(
	State(state): S,
	Path((rtype, id)): Path<(String, String)>,
	Query(q): Query<DeleteQuery>,
	headers: HeaderMap,
) -> R {
	type_of(&rtype)?;
	let reason = q.reason.unwrap_or_else(|| "other".into());
	if !["entered-in-error", "duplicate", "patient-request", "replaced", "other"]
		.contains(&reason.as_str())
	{
		return Err(GatewayError::Invalid(format!(
            "reason {reason:?} is not one of entered-in-error, duplicate, patient-request, replaced, other"
        )));
	}
	let res = state
		.store
		.resource(&rtype, &id)
		.await?
		.ok_or_else(|| GatewayError::NotFound(format!("{rtype}/{id} does not exist")))?;
	if res.deleted {
		return Ok(fhir_json(
			StatusCode::OK,
			&fhir::outcome(
				"information",
				"informational",
				&format!("{rtype}/{id} was already deleted"),
			),
		));
	}
	if let Some(v) = if_match(&headers)? {
		if v != res.current_version {
			return Err(GatewayError::PreconditionFailed(format!(
				"If-Match W/\"{v}\" is stale: {rtype}/{id} is at version {}",
				res.current_version
			)));
		}
	}
	let last_updated = now_rfc3339();
	let ok = state
		.store
		.add_version(
			&rtype,
			&id,
			res.current_version,
			&NewVersion {
				op: "retract",
				content: None,
				salt: None,
				digest: None,
				last_updated: &last_updated,
				retract_reason: Some(&reason),
			},
			true,
		)
		.await?;
	if !ok {
		return Err(GatewayError::PreconditionFailed(format!(
			"{rtype}/{id} changed while this delete was processed; retry"
		)));
	}
	state.wake.notify_one();
	let mut resp = fhir_json(
        StatusCode::OK,
        &fhir::outcome(
            "information",
            "informational",
            &format!(
                "{rtype}/{id} deleted: its content and salts are erased here and its on-chain record will be retracted ({reason})"
            ),
        ),
    );
	resp.headers_mut().insert(header::ETAG, etag(res.current_version + 1));
	Ok(resp)
}

// ---- reads ----

async fn read(State(state): S, Path((rtype, id)): Path<(String, String)>) -> R {
	type_of(&rtype)?;
	let (res, v) = load(&state, &rtype, &id).await?;
	if res.deleted {
		return Err(GatewayError::Gone(format!("{rtype}/{id} was deleted")));
	}
	resource_response(StatusCode::OK, &state, &res, &v)
}

async fn vread(State(state): S, Path((rtype, id, vid)): Path<(String, String, String)>) -> R {
	type_of(&rtype)?;
	let version: i64 = vid
		.parse()
		.map_err(|_| GatewayError::Invalid(format!("version {vid:?} is not a number")))?;
	let res = state
		.store
		.resource(&rtype, &id)
		.await?
		.ok_or_else(|| GatewayError::NotFound(format!("{rtype}/{id} does not exist")))?;
	let v =
		state.store.version(&rtype, &id, version).await?.ok_or_else(|| {
			GatewayError::NotFound(format!("{rtype}/{id} has no version {version}"))
		})?;
	if v.op == "retract" {
		return Err(GatewayError::Gone(format!(
			"version {version} of {rtype}/{id} is its deletion"
		)));
	}
	resource_response(StatusCode::OK, &state, &res, &v)
}

async fn history(State(state): S, Path((rtype, id)): Path<(String, String)>) -> R {
	type_of(&rtype)?;
	let res = state
		.store
		.resource(&rtype, &id)
		.await?
		.ok_or_else(|| GatewayError::NotFound(format!("{rtype}/{id} does not exist")))?;
	let base = state.config.base();
	let versions = state.store.history(&rtype, &id).await?;
	let entries: Vec<Value> = versions
        .iter()
        .map(|v| {
            let (method, status) = match v.op.as_str() {
                "anchor" => ("POST", "201 Created"),
                "amend" => ("PUT", "200 OK"),
                _ => ("DELETE", "200 OK"),
            };
            let mut e = json!({
                "fullUrl": format!("{base}/fhir/{rtype}/{id}"),
                "request": {"method": method, "url": format!("{rtype}/{id}")},
                "response": {"status": status, "etag": format!("W/\"{}\"", v.version), "lastModified": v.last_updated},
            });
            if let Ok(resource) = served(&res, v) {
                e["resource"] = resource;
            }
            e
        })
        .collect();
	let bundle = json!({
		"resourceType": "Bundle",
		"type": "history",
		"total": entries.len(),
		"link": [{"relation": "self", "url": format!("{base}/fhir/{rtype}/{id}/_history")}],
		"entry": entries,
	});
	Ok(fhir_json(StatusCode::OK, &bundle))
}

async fn search(
	State(state): S,
	Path(rtype): Path<String>,
	Query(q): Query<HashMap<String, String>>,
) -> R {
	type_of(&rtype)?;
	for k in q.keys() {
		if !["patient", "_count", "_offset", "_format"].contains(&k.as_str()) {
			return Err(GatewayError::Invalid(format!(
                "search parameter {k:?} is not supported (this server searches by patient, with _count and _offset)"
            )));
		}
	}
	let patient = q.get("patient").ok_or_else(|| {
		GatewayError::Invalid(format!("search {rtype} by patient: ?patient=Patient/<id>"))
	})?;
	let patient = if patient.starts_with("Patient/") {
		patient.clone()
	} else {
		format!("Patient/{patient}")
	};
	let count: i64 = match q.get("_count") {
		None => state.config.page_size as i64,
		Some(c) => c
			.parse::<i64>()
			.ok()
			.filter(|c| *c >= 0)
			.ok_or_else(|| {
				GatewayError::Invalid(format!("_count {c:?} is not a non-negative number"))
			})?
			.min(state.config.max_page_size as i64),
	};
	let offset: i64 = match q.get("_offset") {
		None => 0,
		Some(o) => o.parse::<i64>().ok().filter(|o| *o >= 0).ok_or_else(|| {
			GatewayError::Invalid(format!("_offset {o:?} is not a non-negative number"))
		})?,
	};
	if patient == "Patient/" || !fhir::valid_id(patient.trim_start_matches("Patient/")) {
		return Err(GatewayError::Invalid(format!(
			"patient {patient:?} is not a Patient reference"
		)));
	}
	let (rows, total) = state.store.search(&rtype, &patient, offset, count).await?;
	let base = state.config.base();
	let mut entries = Vec::new();
	for v in &rows {
		let Some(res) = state.store.resource(&v.resource_type, &v.id).await? else { continue };
		entries.push(json!({
			"fullUrl": format!("{base}/fhir/{}/{}", v.resource_type, v.id),
			"resource": served(&res, v)?,
			"search": {"mode": "match"},
		}));
	}
	let page = |o: i64| format!("{base}/fhir/{rtype}?patient={patient}&_count={count}&_offset={o}");
	let mut links = vec![json!({"relation": "self", "url": page(offset)})];
	if offset + count < total {
		links.push(json!({"relation": "next", "url": page(offset + count)}));
	}
	if offset > 0 {
		links.push(json!({"relation": "previous", "url": page((offset - count).max(0))}));
	}
	let bundle = json!({"resourceType": "Bundle", "type": "searchset", "total": total, "link": links, "entry": entries});
	Ok(fhir_json(StatusCode::OK, &bundle))
}

async fn anchor_status(
	State(state): S,
	Path((rtype, id)): Path<(String, String)>,
	Query(q): Query<HashMap<String, String>>,
) -> R {
	type_of(&rtype)?;
	let version = q
		.get("version")
		.map(|v| {
			v.parse::<i64>()
				.map_err(|_| GatewayError::Invalid(format!("version {v:?} is not a number")))
		})
		.transpose()?;
	let res = state
		.store
		.resource(&rtype, &id)
		.await?
		.ok_or_else(|| GatewayError::NotFound(format!("{rtype}/{id} does not exist")))?;
	let version = version.unwrap_or(res.current_version);
	let v =
		state.store.version(&rtype, &id, version).await?.ok_or_else(|| {
			GatewayError::NotFound(format!("{rtype}/{id} has no version {version}"))
		})?;
	let salt = v.salt.as_deref().map(hex0x);
	Ok(fhir_json(StatusCode::OK, &view_of(&res, &v).parameters(version, salt.as_deref())))
}

// ---- $verify ----

#[derive(serde::Deserialize)]
struct VerifyQuery {
	salt: Option<String>,
	#[serde(rename = "recordId")]
	record_id: Option<String>,
}

async fn verify(
	State(state): S,
	Query(q): Query<VerifyQuery>,
	headers: HeaderMap,
	body: Result<Bytes, BytesRejection>,
) -> R {
	let body = json_body(&headers, body, state.config.max_body_bytes)?;
	let (mut resource, mut salt, mut record_id) = (None, q.salt, q.record_id);
	if body.get("resourceType").and_then(Value::as_str) == Some("Parameters") {
		for p in body.get("parameter").and_then(Value::as_array).into_iter().flatten() {
			match p.get("name").and_then(Value::as_str) {
				Some("resource") => resource = p.get("resource").cloned(),
				Some("salt") => {
					salt = p.get("valueString").and_then(Value::as_str).map(str::to_string)
				}
				Some("recordId") => {
					record_id = p.get("valueString").and_then(Value::as_str).map(str::to_string)
				}
				_ => {}
			}
		}
	} else {
		resource = Some(Value::Object(body));
	}
	let resource = resource.ok_or_else(|| {
        GatewayError::Invalid("$verify needs a resource (a Parameters parameter \"resource\", or the resource as the body)".into())
    })?;
	let resource = fhir::anchored_form(resource);
	let salt = salt.ok_or_else(|| {
		GatewayError::Invalid(
			"$verify needs the salt the record was anchored with (parameter \"salt\", hex)".into(),
		)
	})?;
	let salt =
		healthchain_digest::parse_salt(&salt).map_err(|e| GatewayError::Invalid(e.to_string()))?;
	let record_id: [u8; 32] = match record_id {
		Some(r) => healthchain_digest::parse_hex32(&r)
			.map_err(|e| GatewayError::Invalid(format!("recordId: {e}")))?,
		None => {
			let rtype = resource.get("resourceType").and_then(Value::as_str).unwrap_or_default();
			let id = resource.get("id").and_then(Value::as_str).unwrap_or_default();
			let res = state.store.resource(rtype, id).await?.ok_or_else(|| {
                GatewayError::Unprocessable(format!(
                    "{rtype}/{id} is not on this server: give the record's on-chain id (parameter \"recordId\")"
                ))
            })?;
			res.record_id
				.try_into()
				.map_err(|_| GatewayError::Internal("a stored record id is not 32 bytes".into()))?
		}
	};
	let canonical = healthchain_digest::canonical_json(resource.to_string().as_bytes())
		.map_err(|e| GatewayError::Invalid(e.to_string()))?;
	let digest =
		healthchain_digest::record_digest(&salt, &canonical, healthchain_digest::Content::Raw)
			.map_err(|e| GatewayError::Internal(e.to_string()))?;

	let chain = {
		let mut reader = state.reader.lock().await;
		if reader.is_none() {
			*reader = Some(
				Chain::connect(&state.config.chain_url)
					.await
					.map_err(|e| GatewayError::ChainUnavailable(e.to_string()))?,
			);
		}
		reader.clone().ok_or_else(|| GatewayError::Internal("no chain reader".into()))?
	};
	let answer = async {
		let (n, h) = chain.finalized_head().await?;
		let v = chain
			.verify(h, healthchain_chain::H256(record_id), healthchain_chain::H256(digest))
			.await?;
		Ok::<_, healthchain_chain::ChainError>((n, h, v))
	}
	.await;
	let (n, h, v) = match answer {
		Ok(a) => a,
		Err(e) => {
			*state.reader.lock().await = None;
			return Err(GatewayError::ChainUnavailable(e.to_string()));
		}
	};
	let mut params = vec![];
	let (result, text) = match v {
		Verification::Valid { version } => {
			params.push(json!({"name": "version", "valueInteger": version}));
			("current", format!("the current version (version {version}) of the record"))
		}
		Verification::Superseded { version, latest } => {
			params.push(json!({"name": "version", "valueInteger": version}));
			params.push(json!({"name": "latest", "valueInteger": latest}));
			(
				"superseded",
				format!("version {version} of the record, superseded by version {latest}"),
			)
		}
		Verification::Retracted => ("retracted", "the record was retracted".to_string()),
		Verification::Unknown => {
			("unknown", "no anchored version of the record has this digest".to_string())
		}
	};
	let mut all = vec![
		json!({"name": "result", "valueCode": result}),
		json!({"name": "message", "valueString": format!("As of finalized block {n}: {text}.")}),
		json!({"name": "recordId", "valueString": hex0x(&record_id)}),
		json!({"name": "digest", "valueString": hex0x(&digest)}),
		json!({"name": "blockNumber", "valueInteger": n}),
		json!({"name": "blockHash", "valueString": hex0x(&h.0)}),
	];
	all.extend(params);
	Ok(fhir_json(StatusCode::OK, &json!({"resourceType": "Parameters", "parameter": all})))
}
