//! The query API (HTTP JSON, documented in docs/indexer.md).
//!
//! Public (chain-wide facts about organisations): `/providers`, `/validators`, `/health`,
//! `/metrics`. Everything about a patient, and claims, is served only to a request **signed**
//! (the gateway's RFC 9421 profile, `healthchain-httpsig`) by someone entitled to it: the
//! patient, a current guardian of the patient (as indexed), a party of the claim, or an
//! auditor named in the configuration.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex, RwLock},
	time::Instant,
};

use axum::{
	body::Body,
	extract::{MatchedPath, Path, Query, Request, State},
	http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri},
	middleware::Next,
	response::{IntoResponse, Response},
	routing::get,
	Json, Router,
};
use futures::StreamExt;
use healthchain_chain::{parse_account, AccountId32};
use serde_json::{json, Value};

use crate::{
	audit,
	config::Config,
	error::{FhirError, IndexerError},
	ingest::{purpose_names, scope_names, Progress},
	metrics::Metrics,
	store::{Dataset, Filter, Store, P},
};

/// What the handlers share.
pub struct AppState {
	pub store: Arc<Store>,
	pub config: Config,
	pub audience: AccountId32,
	pub auditors: Vec<[u8; 32]>,
	pub metrics: Arc<Metrics>,
	pub progress: Arc<RwLock<Progress>>,
	pub genesis: Arc<RwLock<Option<[u8; 32]>>>,
	/// Nonces seen within the clock-skew window (a replayed request is refused).
	pub nonces: Mutex<HashMap<String, i64>>,
	/// Exports running at once (each holds a database connection while it streams).
	pub exports: Arc<tokio::sync::Semaphore>,
	pub started: Instant,
}

/// Most exports streaming at once; another is refused with 503 until one ends.
pub const MAX_EXPORTS: usize = 2;
/// Most nonces remembered within the replay window.
const MAX_NONCES: usize = 100_000;

type S = State<Arc<AppState>>;
type Params = Query<Vec<(String, String)>>;

/// The router.
pub fn router(state: Arc<AppState>) -> Router {
	Router::new()
		.route("/health", get(health))
		.route("/metrics", get(metrics))
		.route("/patients/{patient}/accesses", patient_route(Dataset::Accesses))
		.route("/patients/{patient}/consents", patient_route(Dataset::Consents))
		.route("/patients/{patient}/break-glass", patient_route(Dataset::BreakGlass))
		.route("/patients/{patient}/records", patient_route(Dataset::Records))
		.route("/break-glass", get(break_glass))
		.route("/claims", get(claims))
		.route("/claims/{id}", get(claim))
		.route("/providers", get(providers))
		.route("/validators", get(validators))
		.route("/fhir/AuditEvent", get(fhir_audit_events))
		.route("/export/{dataset}", get(export))
		.layer(axum::middleware::from_fn_with_state(state.clone(), observe))
		.with_state(state)
}

async fn observe(State(state): S, req: Request, next: Next) -> Response {
	let route = req
		.extensions()
		.get::<MatchedPath>()
		.map(|p| p.as_str().to_string())
		.unwrap_or_else(|| "unmatched".into());
	let started = Instant::now();
	let response = next.run(req).await;
	let labels = vec![("route".to_string(), route.clone())];
	state.metrics.request_seconds.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
	let mut labels = labels;
	labels.push(("status".into(), response.status().as_u16().to_string()));
	state.metrics.requests.get_or_create(&labels).inc();
	response
}

fn now_secs() -> i64 {
	time::OffsetDateTime::now_utc().unix_timestamp()
}

fn account(s: &str, what: &str) -> Result<[u8; 32], IndexerError> {
	parse_account(s).map(|a| a.0).map_err(|e| IndexerError::BadRequest(format!("{what}: {e}")))
}

/// Who may see a query's answer.
enum Entitled {
	/// The patient, a current guardian of the patient, or an auditor.
	Patient([u8; 32]),
	/// Any of these accounts, or an auditor.
	AnyOf(Vec<[u8; 32]>),
}

impl AppState {
	/// Verify the request's signature and that its signer is entitled; returns the signer.
	async fn authorize(
		&self,
		method: &Method,
		uri: &Uri,
		headers: &HeaderMap,
		entitled: Entitled,
	) -> Result<[u8; 32], IndexerError> {
		let v = self.verify(method, uri, headers)?;
		self.entitle(&v, entitled).await?;
		Ok(v.signer.0)
	}

	/// Verify the request's signature (before anything about the data is looked at).
	fn verify(
		&self,
		method: &Method,
		uri: &Uri,
		headers: &HeaderMap,
	) -> Result<healthchain_httpsig::Verified, IndexerError> {
		let genesis = self.genesis.read().ok().and_then(|g| *g).ok_or_else(|| {
			IndexerError::Unauthorized(
				"the indexer has not reached its node yet, so it cannot check which chain a signature is for; retry shortly".into(),
			)
		})?;
		let tag = healthchain_httpsig::chain_tag(&healthchain_chain::H256(genesis));
		let v = healthchain_httpsig::verify(
			method.as_str(),
			uri.path(),
			uri.query(),
			headers,
			b"",
			&self.audience,
			&tag,
			now_secs(),
			self.config.clock_skew_secs,
		)
		.map_err(|e| IndexerError::Unauthorized(e.to_string()))?;
		if v.signer != v.organisation {
			return Err(IndexerError::Unauthorized(format!(
				"the indexer answers the key's own account: Healthchain-Organisation {} is not the signer {}",
				self.store.account(&v.organisation.0),
				self.store.account(&v.signer.0)
			)));
		}
		Ok(v)
	}

	/// Whether the verified signer may see what `entitled` names; then its nonce is spent
	/// (a replay of the same request is refused).
	async fn entitle(
		&self,
		v: &healthchain_httpsig::Verified,
		entitled: Entitled,
	) -> Result<(), IndexerError> {
		let signer = v.signer.0;
		let ok = self.auditors.contains(&signer)
			|| match &entitled {
				Entitled::Patient(p) => *p == signer || self.store.is_guardian(p, &signer).await?,
				Entitled::AnyOf(list) => list.contains(&signer),
			};
		if !ok {
			return Err(IndexerError::Forbidden(format!(
				"{} may not see this: only {}, or an auditor of this indexer",
				self.store.account(&signer),
				match entitled {
					Entitled::Patient(_) => "the patient or the patient's guardian",
					Entitled::AnyOf(_) => "the parties named in the query",
				}
			)));
		}
		let mut nonces = self
			.nonces
			.lock()
			.map_err(|_| IndexerError::Config("the nonce table is poisoned".into()))?;
		let horizon = now_secs() - 2 * self.config.clock_skew_secs;
		nonces.retain(|_, t| *t >= horizon);
		if nonces.len() >= MAX_NONCES {
			return Err(IndexerError::Busy(
				"too many signed requests in the replay window; retry in a minute".into(),
			));
		}
		let key = format!("{}:{}", hex::encode(signer), v.nonce);
		if nonces.insert(key, v.created).is_some() {
			return Err(IndexerError::Unauthorized(
				healthchain_httpsig::SignatureError::Replayed(v.nonce.clone()).to_string(),
			));
		}
		Ok(())
	}

	fn limit(&self, params: &[(String, String)]) -> Result<i64, IndexerError> {
		match param(params, "limit").or_else(|| param(params, "_count")) {
			None => Ok(self.config.page_size),
			Some(v) => match v.parse::<i64>() {
				Ok(n) if n >= 1 && n <= self.config.max_page_size => Ok(n),
				_ => Err(IndexerError::BadRequest(format!(
					"limit must be a whole number from 1 to {}, not {v:?}",
					self.config.max_page_size
				))),
			},
		}
	}
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
	params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// `2026-03-01T10:00:00Z`, `2026-03-01T10:00:00+01:00` or `2026-03-01` (midnight UTC).
pub fn parse_time(v: &str) -> Result<i64, IndexerError> {
	use time::format_description::well_known::Rfc3339;
	let t = time::OffsetDateTime::parse(v, &Rfc3339).or_else(|_| {
		let d = time::Date::parse(v, time::macros::format_description!("[year]-[month]-[day]"))?;
		Ok::<_, time::error::Parse>(d.midnight().assume_utc())
	});
	match t {
		Ok(t) => Ok((t.unix_timestamp_nanos() / 1_000_000) as i64),
		Err(_) => Err(IndexerError::BadRequest(format!(
			"{v:?} is not an ISO-8601 time (like 2026-03-01T10:00:00Z) or date (2026-03-01)"
		))),
	}
}

/// The end of a range: a time as given, a date through its last millisecond (a whole day).
pub fn parse_time_end(v: &str) -> Result<i64, IndexerError> {
	let t = parse_time(v)?;
	Ok(if v.len() == 10 { t + 86_400_000 - 1 } else { t })
}

/// Apply the filters every list shares: `from`/`to` (ISO-8601, mapped to blocks through
/// their timestamps), `after` (the previous page's `next`).
async fn common(
	state: &AppState,
	ds: Dataset,
	params: &[(String, String)],
	f: &mut Filter,
) -> Result<(), IndexerError> {
	let col = ds.block_column();
	let mut from = param(params, "from").map(parse_time).transpose()?;
	let mut to = param(params, "to").map(parse_time_end).transpose()?;
	// FHIR style: date=geX / date=leX (repeatable).
	for (k, v) in params {
		if k == "date" {
			if let Some(x) = v.strip_prefix("ge") {
				from = Some(parse_time(x)?);
			} else if let Some(x) = v.strip_prefix("le") {
				to = Some(parse_time_end(x)?);
			} else {
				return Err(IndexerError::BadRequest(format!(
					"date must be geYYYY-MM-DD... or leYYYY-MM-DD..., not {v:?}"
				)));
			}
		}
	}
	if let (Some(a), Some(b)) = (from, to) {
		if a > b {
			return Err(IndexerError::BadRequest("from is after to".into()));
		}
	}
	if let Some(ms) = from {
		match state.store.block_at_or_after(ms).await? {
			Some(n) => f.cond(&format!("{col} >= {{}}"), P::I(n)),
			None => f.raw("1 = 0"),
		};
	}
	if let Some(ms) = to {
		match state.store.block_at_or_before(ms).await? {
			Some(n) => f.cond(&format!("{col} <= {{}}"), P::I(n)),
			None => f.raw("1 = 0"),
		};
	}
	if let Some(a) = param(params, "after") {
		let bad = || {
			IndexerError::BadRequest(format!(
				"after must be the `next` value of the previous page, not {a:?}"
			))
		};
		let (x, y) = a.split_once('.').ok_or_else(bad)?;
		f.after = Some((x.parse().map_err(|_| bad())?, y.parse().map_err(|_| bad())?));
	}
	let known: &[&str] = match ds {
		Dataset::Accesses => &["accessor", "scope", "purpose", "basis", "kind", "patient"],
		Dataset::Consents => &["party", "grantee", "action"],
		Dataset::BreakGlass => &["provider", "state", "review", "patient"],
		Dataset::Claims => &["provider", "insurer", "patient", "status"],
		Dataset::ProviderEvents => &["who", "action"],
		Dataset::ValidatorEvents => &["who", "action"],
		_ => &[],
	};
	for (k, _) in params {
		let shared = ["from", "to", "date", "after", "limit", "_count", "format", "agent"];
		if !shared.contains(&k.as_str()) && !known.contains(&k.as_str()) {
			return Err(IndexerError::BadRequest(format!(
				"unknown parameter {k:?} for {} (known: {})",
				ds.name(),
				[&shared[..], known].concat().join(", ")
			)));
		}
	}
	Ok(())
}

fn one_of(v: &str, what: &str, allowed: &[String]) -> Result<String, IndexerError> {
	if allowed.iter().any(|a| a == v) {
		Ok(v.to_string())
	} else {
		Err(IndexerError::BadRequest(format!(
			"{what} must be one of {}, not {v:?}",
			allowed.join(", ")
		)))
	}
}

fn strs(list: &[&str]) -> Vec<String> {
	list.iter().map(|s| s.to_string()).collect()
}

/// The filter of a patient's accesses.
async fn access_filter(
	state: &AppState,
	patient: [u8; 32],
	params: &[(String, String)],
) -> Result<Filter, IndexerError> {
	let mut f = Filter::default();
	f.eq("patient", P::B(patient.to_vec()));
	if let Some(a) = param(params, "accessor").or_else(|| param(params, "agent")) {
		f.eq("accessor", P::B(account(a, "accessor")?.to_vec()));
	}
	if let Some(s) = param(params, "scope") {
		f.eq("scope", P::T(one_of(s, "scope", &scope_names())?));
	}
	if let Some(p) = param(params, "purpose") {
		f.eq("purpose", P::T(one_of(p, "purpose", &purpose_names())?));
	}
	if let Some(b) = param(params, "basis") {
		f.eq("basis", P::T(one_of(b, "basis", &strs(&["consent", "break_glass", "none"]))?));
	}
	if let Some(k) = param(params, "kind") {
		f.eq("kind", P::T(one_of(k, "kind", &strs(&["logged", "disclosed"]))?));
	}
	common(state, Dataset::Accesses, params, &mut f).await?;
	Ok(f)
}

async fn consent_filter(
	state: &AppState,
	patient: [u8; 32],
	params: &[(String, String)],
) -> Result<Filter, IndexerError> {
	let mut f = Filter::default();
	f.eq("patient", P::B(patient.to_vec()));
	if let Some(a) = param(params, "party").or_else(|| param(params, "grantee")) {
		f.eq("party", P::B(account(a, "party")?.to_vec()));
	}
	if let Some(a) = param(params, "action") {
		let allowed = strs(&[
			"granted",
			"updated",
			"revoked",
			"expired",
			"guardian_added",
			"guardian_removed",
		]);
		f.eq("action", P::T(one_of(a, "action", &allowed)?));
	}
	common(state, Dataset::Consents, params, &mut f).await?;
	Ok(f)
}

async fn break_glass_filter(
	state: &AppState,
	patient: Option<[u8; 32]>,
	params: &[(String, String)],
) -> Result<Filter, IndexerError> {
	let mut f = Filter::default();
	if let Some(p) = patient {
		f.eq("patient", P::B(p.to_vec()));
	}
	if let Some(p) = param(params, "provider") {
		f.eq("provider", P::B(account(p, "provider")?.to_vec()));
	}
	if let Some(s) = param(params, "state") {
		match one_of(s, "state", &strs(&["open", "closed"]))?.as_str() {
			"open" => f.raw("closed_block IS NULL"),
			_ => f.raw("closed_block IS NOT NULL"),
		};
	}
	if let Some(s) = param(params, "review") {
		match one_of(s, "review", &strs(&["pending", "reviewed"]))?.as_str() {
			"pending" => f.raw("verdict IS NULL"),
			_ => f.raw("verdict IS NOT NULL"),
		};
	}
	common(state, Dataset::BreakGlass, params, &mut f).await?;
	Ok(f)
}

async fn claim_filter(
	state: &AppState,
	params: &[(String, String)],
) -> Result<(Filter, Vec<[u8; 32]>), IndexerError> {
	let mut f = Filter::default();
	let mut parties = vec![];
	for role in ["provider", "insurer", "patient"] {
		if let Some(a) = param(params, role) {
			let a = account(a, role)?;
			f.eq(role, P::B(a.to_vec()));
			parties.push(a);
		}
	}
	if let Some(s) = param(params, "status") {
		let allowed = strs(&[
			"submitted",
			"approved",
			"denied",
			"settled",
			"disputed",
			"resolved",
			"withdrawn",
		]);
		f.eq("status", P::T(one_of(s, "status", &allowed)?));
	}
	common(state, Dataset::Claims, params, &mut f).await?;
	Ok((f, parties))
}

async fn health(State(state): S) -> impl IntoResponse {
	let p = state.progress.read().map(|p| p.clone()).unwrap_or_default();
	let db = state.store.ping().await;
	let lag = match (p.finalized, p.last_indexed) {
		(Some(f), Some(i)) => Some(f.saturating_sub(i)),
		(Some(f), None) => Some(f + 1),
		_ => None,
	};
	let status = if !db {
		"down"
	} else if p.connected && p.last_error.is_none() && lag.is_some_and(|l| l <= 2) {
		"ok"
	} else {
		"degraded"
	};
	let code = if db { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
	(
		code,
		Json(json!({
			"status": status,
			"database": if db { "ok" } else { "unreachable" },
			"backend": format!("{:?}", state.store.backend()).to_lowercase(),
			"chain": p,
			"lagBlocks": lag,
			"audience": state.store.account(&state.audience.0),
			"genesis": state.genesis.read().ok().and_then(|g| *g).map(|g| format!("0x{}", hex::encode(g))),
			"uptimeSeconds": state.started.elapsed().as_secs(),
			"version": env!("CARGO_PKG_VERSION"),
		})),
	)
}

async fn metrics(State(state): S) -> impl IntoResponse {
	(
		[(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")],
		state.metrics.render(),
	)
}

/// One patient's view (`ds`): its filter for `patient` from the query's parameters.
async fn patient_filter(
	state: &AppState,
	ds: Dataset,
	patient: [u8; 32],
	params: &[(String, String)],
) -> Result<Filter, IndexerError> {
	match ds {
		Dataset::Accesses => access_filter(state, patient, params).await,
		Dataset::Consents => consent_filter(state, patient, params).await,
		Dataset::BreakGlass => break_glass_filter(state, Some(patient), params).await,
		_ => {
			let mut f = Filter::default();
			f.eq("subject", P::B(patient.to_vec()));
			common(state, ds, params, &mut f).await?;
			Ok(f)
		}
	}
}

/// `GET /patients/{patient}/<view>`: a page of one patient's `ds`, for the patient, a
/// guardian or an auditor.
async fn patient_view(
	ds: Dataset,
	State(state): S,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
	Path(patient): Path<String>,
	Query(params): Params,
) -> Result<Json<Value>, IndexerError> {
	let patient = account(&patient, "patient")?;
	state.authorize(&method, &uri, &headers, Entitled::Patient(patient)).await?;
	let f = patient_filter(&state, ds, patient, &params).await?;
	let page = state.store.page(ds, &f, state.limit(&params)?).await?;
	Ok(Json(json!(page)))
}

/// The route of one patient view.
fn patient_route(ds: Dataset) -> axum::routing::MethodRouter<Arc<AppState>> {
	get(move |s: S, m: Method, u: Uri, h: HeaderMap, p: Path<String>, q: Params| {
		patient_view(ds, s, m, u, h, p, q)
	})
}

async fn break_glass(
	State(state): S,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
	Query(params): Params,
) -> Result<Json<Value>, IndexerError> {
	let patient = param(&params, "patient").map(|p| account(p, "patient")).transpose()?;
	let provider = param(&params, "provider").map(|p| account(p, "provider")).transpose()?;
	let entitled = match patient {
		Some(p) => Entitled::Patient(p),
		None => Entitled::AnyOf(provider.into_iter().collect()),
	};
	state.authorize(&method, &uri, &headers, entitled).await?;
	let f = break_glass_filter(&state, patient, &params).await?;
	let page = state.store.page(Dataset::BreakGlass, &f, state.limit(&params)?).await?;
	Ok(Json(json!(page)))
}

async fn claims(
	State(state): S,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
	Query(params): Params,
) -> Result<Json<Value>, IndexerError> {
	let v = state.verify(&method, &uri, &headers)?;
	let (f, parties) = claim_filter(&state, &params).await?;
	state.entitle(&v, Entitled::AnyOf(parties)).await?;
	let page = state.store.page(Dataset::Claims, &f, state.limit(&params)?).await?;
	Ok(Json(json!(page)))
}

async fn claim(
	State(state): S,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
	Path(id): Path<String>,
) -> Result<Json<Value>, IndexerError> {
	let v = state.verify(&method, &uri, &headers)?;
	let id: i64 = id
		.parse()
		.map_err(|_| IndexerError::BadRequest(format!("a claim id is a number, not {id:?}")))?;
	let mut f = Filter::default();
	f.eq("claim_id", P::I(id));
	let page = state.store.page(Dataset::Claims, &f, 1).await?;
	let Some(claim) = page.items.into_iter().next() else {
		// Whether a claim exists is itself for its parties: only an auditor learns "not found".
		state.entitle(&v, Entitled::AnyOf(vec![])).await?;
		return Err(IndexerError::NotFound(format!("no claim {id} is indexed")));
	};
	let parties = ["provider", "insurer", "patient"]
		.iter()
		.filter_map(|k| claim[*k].as_str().and_then(|a| parse_account(a).ok()).map(|a| a.0))
		.collect();
	state.entitle(&v, Entitled::AnyOf(parties)).await?;
	let events = state.store.page(Dataset::ClaimEvents, &f, 1000).await?;
	let mut claim = claim;
	claim["events"] = json!(events.items);
	Ok(Json(claim))
}

/// Provider lifecycle events (registered, approved, suspended, ...), optionally of one
/// provider (`who`) or one kind (`action`). Public: the registry is a public, chain-wide fact.
async fn providers(State(state): S, Query(params): Params) -> Result<Json<Value>, IndexerError> {
	let mut f = Filter::default();
	if let Some(w) = param(&params, "who") {
		f.eq("who", P::B(account(w, "who")?.to_vec()));
	}
	if let Some(a) = param(&params, "action") {
		let allowed = strs(&[
			"registered",
			"approved",
			"rejected",
			"suspended",
			"reinstated",
			"revoked",
			"deregistered",
			"credential_renewed",
			"credential_expired",
			"nodes_set",
			"nodes_cleared",
			"network_permission_on",
			"network_permission_off",
			"suspended_for_cause",
		]);
		f.eq("action", P::T(one_of(a, "action", &allowed)?));
	}
	common(&state, Dataset::ProviderEvents, &params, &mut f).await?;
	let page = state.store.page(Dataset::ProviderEvents, &f, state.limit(&params)?).await?;
	Ok(Json(json!(page)))
}

/// Validator-set changes and sessions. Public.
async fn validators(State(state): S, Query(params): Params) -> Result<Json<Value>, IndexerError> {
	let mut f = Filter::default();
	if let Some(w) = param(&params, "who") {
		f.eq("who", P::B(account(w, "who")?.to_vec()));
	}
	if let Some(a) = param(&params, "action") {
		let allowed = strs(&[
			"added",
			"removed",
			"dropped",
			"drop_deferred",
			"session_planned",
			"session_length_set",
			"offence_reported",
			"offence_removed",
			"session_started",
		]);
		f.eq("action", P::T(one_of(a, "action", &allowed)?));
	}
	common(&state, Dataset::ValidatorEvents, &params, &mut f).await?;
	let page = state.store.page(Dataset::ValidatorEvents, &f, state.limit(&params)?).await?;
	Ok(Json(json!(page)))
}

/// A patient's accesses as a FHIR `Bundle` (searchset) of `AuditEvent`s.
async fn fhir_audit_events(
	State(state): S,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
	Query(params): Params,
) -> Result<Response, FhirError> {
	let patient = param(&params, "patient").ok_or_else(|| {
		IndexerError::BadRequest(
			"patient is required (patient=<the patient's chain account>)".into(),
		)
	})?;
	let patient = account(patient, "patient")?;
	state.authorize(&method, &uri, &headers, Entitled::Patient(patient)).await?;
	let f = access_filter(&state, patient, &params).await?;
	let page = state.store.page(Dataset::Accesses, &f, state.limit(&params)?).await?;
	let entries: Vec<Value> = page
		.items
		.iter()
		.map(|a| {
			let ev = audit::audit_event(a);
			json!({
				"fullUrl": format!("urn:healthchain:access:{}", ev["id"].as_str().unwrap_or_default()),
				"resource": ev,
				"search": {"mode": "match"},
			})
		})
		.collect();
	let mut bundle = json!({
		"resourceType": "Bundle",
		"type": "searchset",
		"entry": entries,
		"link": [{"relation": "self", "url": uri.to_string()}],
	});
	if let Some(next) = &page.next {
		let mut q: Vec<(String, String)> =
			params.iter().filter(|(k, _)| k != "after").cloned().collect();
		q.push(("after".into(), next.clone()));
		let qs = q.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
		if let Some(links) = bundle["link"].as_array_mut() {
			links.push(json!({"relation": "next", "url": format!("{}?{qs}", uri.path())}));
		}
	}
	let mut r = Json(bundle).into_response();
	r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/fhir+json"));
	Ok(r)
}

/// Percent-encode a query value (RFC 3986 unreserved characters stay).
fn encode(v: &str) -> String {
	let mut out = String::new();
	for b in v.bytes() {
		if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
			out.push(b as char);
		} else {
			out.push_str(&format!("%{b:02X}"));
		}
	}
	out
}

fn csv_cell(v: &Value) -> String {
	let s = match v {
		Value::Null => String::new(),
		Value::String(s) => s.clone(),
		Value::Array(a) => a
			.iter()
			.map(|x| x.as_str().map(String::from).unwrap_or_else(|| x.to_string()))
			.collect::<Vec<_>>()
			.join(";"),
		other => other.to_string(),
	};
	if s.contains([',', '"', '\n', '\r']) {
		format!("\"{}\"", s.replace('"', "\"\""))
	} else {
		s
	}
}

impl AppState {
	/// A slot for one more export, or 503.
	fn exports_permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, IndexerError> {
		self.exports.clone().try_acquire_owned().map_err(|_| {
			IndexerError::Busy(format!(
				"{MAX_EXPORTS} exports are already running; retry when one has finished"
			))
		})
	}
}

/// Stream a query's every row as CSV or NDJSON (memory stays bounded: rows flow from the
/// database cursor through a small channel to the socket).
async fn export(
	State(state): S,
	method: Method,
	uri: Uri,
	headers: HeaderMap,
	Path(dataset): Path<String>,
	Query(params): Params,
) -> Result<Response, IndexerError> {
	let format = param(&params, "format").unwrap_or("ndjson");
	let csv = match format {
		"csv" => true,
		"ndjson" => false,
		other => {
			return Err(IndexerError::BadRequest(format!(
				"format must be csv or ndjson, not {other:?}"
			)))
		}
	};
	let patient = || -> Result<[u8; 32], IndexerError> {
		account(
			param(&params, "patient").ok_or_else(|| {
				IndexerError::BadRequest(format!("patient is required to export {dataset}"))
			})?,
			"patient",
		)
	};
	let (ds, filter) = match dataset.as_str() {
		"accesses" | "consents" => {
			let p = patient()?;
			state.authorize(&method, &uri, &headers, Entitled::Patient(p)).await?;
			if dataset == "accesses" {
				(Dataset::Accesses, patient_filter(&state, Dataset::Accesses, p, &params).await?)
			} else {
				// The patient is the export's subject here, not a consent filter.
				let params: Vec<_> =
					params.iter().filter(|(k, _)| k != "patient").cloned().collect();
				(Dataset::Consents, patient_filter(&state, Dataset::Consents, p, &params).await?)
			}
		}
		"break-glass" => {
			let p = param(&params, "patient").map(|p| account(p, "patient")).transpose()?;
			let provider =
				param(&params, "provider").map(|p| account(p, "provider")).transpose()?;
			let entitled = match p {
				Some(p) => Entitled::Patient(p),
				None => Entitled::AnyOf(provider.into_iter().collect()),
			};
			state.authorize(&method, &uri, &headers, entitled).await?;
			(Dataset::BreakGlass, break_glass_filter(&state, p, &params).await?)
		}
		"claims" => {
			let v = state.verify(&method, &uri, &headers)?;
			let (f, parties) = claim_filter(&state, &params).await?;
			state.entitle(&v, Entitled::AnyOf(parties)).await?;
			(Dataset::Claims, f)
		}
		other => {
			return Err(IndexerError::NotFound(format!(
				"no dataset {other:?} to export (accesses, consents, break-glass, claims)"
			)))
		}
	};
	let permit = state.exports_permit()?;
	let (tx, rx) = tokio::sync::mpsc::channel(256);
	let store = state.store.clone();
	tokio::spawn(async move {
		let _permit = permit;
		store.send_all(ds, &filter, tx).await;
	});
	let fields = ds.fields();
	let header_line = csv.then(|| format!("{}\n", fields.join(",")));
	let rows = futures::stream::unfold(rx, move |mut rx| async move {
		let item = rx.recv().await?;
		let chunk = match item {
			Ok(v) if csv => {
				let line = fields.iter().map(|f| csv_cell(&v[*f])).collect::<Vec<_>>().join(",");
				Ok::<_, std::io::Error>(format!("{line}\n"))
			}
			Ok(v) => Ok(format!("{v}\n")),
			// A failure mid-stream cannot change the status any more: the file says so in
			// its last line, and the stream ends there.
			Err(e) => {
				tracing::error!(error = %e, "export stopped");
				Ok(if csv {
					format!("# EXPORT INCOMPLETE: {e}\n")
				} else {
					format!("{}\n", json!({"exportIncomplete": e.to_string()}))
				})
			}
		};
		Some((chunk, rx))
	});
	let body = match header_line {
		Some(h) => Body::from_stream(futures::stream::once(async move { Ok(h) }).chain(rows)),
		None => Body::from_stream(rows),
	};
	let (ctype, ext) =
		if csv { ("text/csv; charset=utf-8", "csv") } else { ("application/x-ndjson", "ndjson") };
	Ok((
		[
			(header::CONTENT_TYPE, ctype.to_string()),
			(
				header::CONTENT_DISPOSITION,
				format!("attachment; filename=\"healthchain-{}.{ext}\"", ds.name()),
			),
		],
		body,
	)
		.into_response())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn times_and_dates_parse_and_bad_ones_say_what_is_expected() {
		assert_eq!(parse_time("1970-01-02").expect("date"), 86_400_000);
		assert_eq!(parse_time("1970-01-01T00:00:01Z").expect("time"), 1000);
		assert_eq!(parse_time("1970-01-01T01:00:00+01:00").expect("offset"), 0);
		let e = parse_time("March 1st").expect_err("bad");
		assert!(e.to_string().contains("ISO-8601"));
	}

	#[test]
	fn csv_cells_are_quoted_when_needed() {
		assert_eq!(csv_cell(&json!("a,b")), "\"a,b\"");
		assert_eq!(csv_cell(&json!("say \"hi\"")), "\"say \"\"hi\"\"\"");
		assert_eq!(csv_cell(&json!(["labs", "imaging"])), "labs;imaging");
		assert_eq!(csv_cell(&Value::Null), "");
		assert_eq!(csv_cell(&json!(42)), "42");
	}

	#[test]
	fn the_api_names_come_from_the_chains_enums() {
		assert!(scope_names().contains(&"mental_health".to_string()));
		assert!(scope_names().contains(&"labs".to_string()));
		assert_eq!(purpose_names(), vec!["treatment", "payment", "operations", "research"]);
	}
}
