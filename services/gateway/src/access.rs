//! Access decisions on **finalized** chain state, cached and invalidated from finalized blocks'
//! events (never by a timer alone).
//!
//! - The follower subscribes to finalized heads; for every finalized block (gaps filled) it
//!   reads the block's events and drops every cached decision they may change
//!   (`consent.ConsentGranted/Updated/Revoked/Expired` and `BreakGlassOpened/Closed` for that
//!   patient and organisation, `records.RecordRetracted` for that record, any `providers`
//!   or `proxy` event, a runtime upgrade) **before** it moves the head the decisions are
//!   taken at. A decision also carries the block it stops holding at (the grant's or window's
//!   expiry, the organisation's credential expiry), so expiry needs no event.
//! - A miss asks the chain at the head: `ConsentApi::record_access` (the chain's one access
//!   rule), then the grant's or window's expiry. A decision computed at an older head than
//!   the current one is used but not cached (an event in between may have changed it).
//! - **Fail closed**: while the follower has no live subscription (node down, connection
//!   lost) every decision fails with [`AccessError::Unavailable`] (HTTP 503), and the caches
//!   are emptied.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::Duration,
};

use healthchain_chain::{
	healthchain, AccessBasis, AccessDenial, AccountId32, Chain, ChainError, ProviderStatus,
	ProxyType, Purpose, Scope, H256,
};
use tokio::sync::watch;

use crate::metrics::{labels, Metrics};

/// Why no decision could be taken.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
	#[error("the Healthchain node is unreachable, so consent cannot be checked; nothing is released until it is back (fail closed): {0}")]
	Unavailable(String),
}

impl From<ChainError> for AccessError {
	fn from(e: ChainError) -> Self {
		AccessError::Unavailable(e.to_string())
	}
}

/// A purpose as the exchange API names it.
pub fn purpose_from_code(code: &str) -> Option<Purpose> {
	match code {
		"treatment" => Some(Purpose::Treatment),
		"payment" => Some(Purpose::Payment),
		"operations" => Some(Purpose::Operations),
		"research" => Some(Purpose::Research),
		_ => None,
	}
}

/// The chain's index of a purpose (stored with a disclosure).
pub fn purpose_index(p: &Purpose) -> i64 {
	match p {
		Purpose::Treatment => 0,
		Purpose::Payment => 1,
		Purpose::Operations => 2,
		Purpose::Research => 3,
	}
}

/// The purpose of a chain index.
pub fn purpose_of_index(i: i64) -> Purpose {
	match i {
		1 => Purpose::Payment,
		2 => Purpose::Operations,
		3 => Purpose::Research,
		_ => Purpose::Treatment,
	}
}

/// The API code of a purpose.
pub fn purpose_code(p: &Purpose) -> &'static str {
	match p {
		Purpose::Treatment => "treatment",
		Purpose::Payment => "payment",
		Purpose::Operations => "operations",
		Purpose::Research => "research",
	}
}

/// The chain's name of a denial and a sentence for it.
pub fn denial_text(d: &AccessDenial) -> (&'static str, &'static str) {
	match d {
		AccessDenial::ConsentMissing => ("ConsentMissing", "the patient has not granted your organisation access (no consent, and no open break-glass window)"),
		AccessDenial::ConsentExpired => ("ConsentExpired", "the patient's consent for your organisation has expired"),
		AccessDenial::ScopeNotGranted => ("ScopeNotGranted", "the patient's consent does not cover this record's category"),
		AccessDenial::PurposeNotGranted => ("PurposeNotGranted", "the patient's consent does not cover the purpose you declared"),
		AccessDenial::UnknownRecord => ("UnknownRecord", "the record is not anchored on chain"),
		AccessDenial::RecordNotOfPatient => ("RecordNotOfPatient", "the record is not about the patient named in the request"),
		AccessDenial::RecordRetracted => ("RecordRetracted", "the record was retracted and is no longer disclosed"),
		AccessDenial::NotActiveProvider => ("NotActiveProvider", "your organisation is not an active provider"),
	}
}

/// What the chain says about an access.
#[derive(Clone, Debug)]
pub enum Verdict {
	/// Allowed: the record's subject, its scope and the basis.
	Allowed {
		subject: AccountId32,
		scope: Scope,
		basis: AccessBasis,
	},
	Denied(AccessDenial),
}

/// A verdict and the finalized block it was taken at.
#[derive(Clone, Debug)]
pub struct Decision {
	pub verdict: Verdict,
	pub at_number: u64,
	pub at_hash: H256,
	/// Whether it came from the cache.
	pub cached: bool,
}

/// The basis as text: `consent` or `break-glass:<id>`.
pub fn basis_text(b: &AccessBasis) -> String {
	match b {
		AccessBasis::Consent => "consent".into(),
		AccessBasis::BreakGlass(id) => format!("break-glass:{id}"),
	}
}

/// Why an organisation may not use the exchange (before any record is considered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrgDenial {
	NotRegistered,
	Status(&'static str),
	CredentialLapsed,
	NotAProxy,
}

impl OrgDenial {
	pub fn text(&self, org: &AccountId32, signer: &AccountId32) -> String {
		match self {
			OrgDenial::NotRegistered => format!("NotActiveProvider: {org} is not a registered provider organisation"),
			OrgDenial::Status(s) => format!("NotActiveProvider: provider organisation {org} is {s}, not active"),
			OrgDenial::CredentialLapsed => format!("NotActiveProvider: the credential of provider organisation {org} has lapsed"),
			OrgDenial::NotAProxy => format!("NotAProxy: {signer} is not a proxy of {org} (proxy type Any or AccessLog, no delay) on chain"),
		}
	}
}

#[derive(Clone)]
struct CachedVerdict {
	verdict: Verdict,
	patient: Option<AccountId32>,
	/// The first block at which it no longer holds.
	valid_before: Option<u64>,
}

#[derive(Clone)]
struct CachedOrg {
	result: Result<(), OrgDenial>,
	valid_before: Option<u64>,
}

#[derive(Default)]
struct Inner {
	head: Option<(u64, H256)>,
	connected: bool,
	/// (recipient, record, purpose) -> verdict.
	decisions: HashMap<([u8; 32], [u8; 32], i64), CachedVerdict>,
	/// (signer, organisation) -> may act.
	orgs: HashMap<([u8; 32], [u8; 32]), CachedOrg>,
	error: Option<String>,
	genesis: Option<H256>,
}

impl Inner {
	fn clear(&mut self) {
		self.decisions.clear();
		self.orgs.clear();
	}
}

/// Decisions on finalized state, shared by every request.
pub struct Access {
	chain_url: String,
	store: Arc<crate::store::Store>,
	inner: Mutex<Inner>,
	reader: tokio::sync::Mutex<Option<Chain>>,
	metrics: Arc<Metrics>,
	/// Largest number of cached decisions (the cache is emptied when it is reached).
	pub max_cached: usize,
}

impl Access {
	pub fn new(
		chain_url: String,
		store: Arc<crate::store::Store>,
		metrics: Arc<Metrics>,
	) -> Arc<Self> {
		Arc::new(Self {
			chain_url,
			store,
			inner: Mutex::new(Inner::default()),
			reader: tokio::sync::Mutex::new(None),
			metrics,
			max_cached: 200_000,
		})
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
		self.inner.lock().unwrap_or_else(|e| e.into_inner())
	}

	/// The finalized head decisions are taken at, when the follower is live.
	pub fn head(&self) -> Option<(u64, H256)> {
		let i = self.lock();
		if i.connected {
			i.head
		} else {
			None
		}
	}

	/// For /health: connected, head number, last error.
	pub fn status(&self) -> (bool, Option<u64>, Option<String>, usize) {
		let i = self.lock();
		(i.connected, i.head.map(|h| h.0), i.error.clone(), i.decisions.len())
	}

	/// The chain's genesis hash, once the follower reached the node (the `tag` of signed
	/// requests).
	pub fn genesis(&self) -> Option<H256> {
		self.lock().genesis
	}

	/// A connection for reads at the finalized head.
	pub async fn reader_chain(&self) -> Result<Chain, AccessError> {
		match self.reader().await {
			Ok(c) => Ok(c),
			Err(e) => {
				self.drop_reader().await;
				Err(e)
			}
		}
	}

	fn live_head(&self) -> Result<(u64, H256), AccessError> {
		let i = self.lock();
		match (i.connected, i.head) {
			(true, Some(h)) => Ok(h),
			_ => Err(AccessError::Unavailable(
				i.error.clone().unwrap_or_else(|| "not following finalized blocks".into()),
			)),
		}
	}

	async fn reader(&self) -> Result<Chain, AccessError> {
		let mut r = self.reader.lock().await;
		if let Some(c) = r.as_ref() {
			return Ok(c.clone());
		}
		let c = Chain::connect(&self.chain_url).await?;
		*r = Some(c.clone());
		Ok(c)
	}

	async fn drop_reader(&self) {
		*self.reader.lock().await = None;
	}

	/// Whether `signer` may act for `organisation` and `organisation` is an active provider,
	/// at the finalized head.
	pub async fn check_organisation(
		&self,
		signer: &AccountId32,
		organisation: &AccountId32,
	) -> Result<Result<(), OrgDenial>, AccessError> {
		let (n, h) = self.live_head()?;
		let key = (signer.0, organisation.0);
		if let Some(c) = self.lock().orgs.get(&key) {
			if c.valid_before.is_none_or(|b| n < b) {
				return Ok(c.result.clone());
			}
		}
		let answer = async {
			let chain = self.reader().await?;
			let at = chain.at(h).await?;
			if signer != organisation {
				let types = at.proxy_types(organisation, signer).await?;
				let allowed = types.iter().any(|(t, delay)| {
					*delay == 0 && matches!(t, ProxyType::Any | ProxyType::AccessLog)
				});
				if !allowed {
					return Ok::<_, AccessError>((Err(OrgDenial::NotAProxy), None));
				}
			}
			Ok(match at.provider(organisation).await? {
				None => (Err(OrgDenial::NotRegistered), None),
				Some(p) => {
					let expires: u64 = p.credential_expires_at.into();
					match p.status {
						ProviderStatus::Active if n >= expires => {
							(Err(OrgDenial::CredentialLapsed), None)
						}
						ProviderStatus::Active => (Ok(()), Some(expires)),
						ProviderStatus::Pending => {
							(Err(OrgDenial::Status("pending approval")), None)
						}
						ProviderStatus::Suspended => (Err(OrgDenial::Status("suspended")), None),
						ProviderStatus::Revoked => (Err(OrgDenial::Status("revoked")), None),
					}
				}
			})
		}
		.await;
		let (result, valid_before) = match answer {
			Ok(a) => a,
			Err(e) => {
				self.drop_reader().await;
				return Err(e);
			}
		};
		let mut i = self.lock();
		if i.head.map(|x| x.0) == Some(n) {
			i.orgs.insert(key, CachedOrg { result: result.clone(), valid_before });
		}
		Ok(result)
	}

	/// The chain's verdict on `recipient` receiving `record_id` for `purpose`, at the
	/// finalized head.
	pub async fn decide(
		&self,
		recipient: &AccountId32,
		record_id: &H256,
		purpose: &Purpose,
	) -> Result<Decision, AccessError> {
		let (n, h) = self.live_head()?;
		let key = (recipient.0, record_id.0, purpose_index(purpose));
		if let Some(c) = self.lock().decisions.get(&key) {
			if c.valid_before.is_none_or(|b| n < b) {
				self.metrics.consent_decisions.get_or_create(&labels(&[("source", "cache")])).inc();
				return Ok(Decision {
					verdict: c.verdict.clone(),
					at_number: n,
					at_hash: h,
					cached: true,
				});
			}
		}
		self.metrics.consent_decisions.get_or_create(&labels(&[("source", "chain")])).inc();
		let answer = async {
			let chain = self.reader().await?;
			let at = chain.at(h).await?;
			let rule = at.record_access(recipient, *record_id, purpose.clone()).await?;
			Ok::<_, AccessError>(match rule {
				Ok((subject, scope, basis)) => {
					let expiry = match &basis {
						AccessBasis::Consent => at.grant_expiry(&subject, recipient).await?,
						AccessBasis::BreakGlass(_) => at.window_expiry(&subject, recipient).await?,
					};
					let credential =
						at.provider(recipient).await?.map(|p| u64::from(p.credential_expires_at));
					let valid_before = match (expiry, credential) {
						(Some(a), Some(b)) => Some(a.min(b)),
						(a, b) => a.or(b),
					};
					let patient = Some(subject);
					(Verdict::Allowed { subject, scope, basis }, patient, valid_before)
				}
				Err(d) => (Verdict::Denied(d), None, None),
			})
		}
		.await;
		let (verdict, patient, valid_before) = match answer {
			Ok(a) => a,
			Err(e) => {
				self.drop_reader().await;
				return Err(e);
			}
		};
		// An unknown record may be anchored by the next block: never cached. A denial names
		// no patient, so it is dropped by any consent event about the recipient.
		let cacheable = !matches!(verdict, Verdict::Denied(AccessDenial::UnknownRecord));
		let mut i = self.lock();
		if cacheable && i.head.map(|x| x.0) == Some(n) {
			if i.decisions.len() >= self.max_cached {
				i.decisions.clear();
			}
			i.decisions
				.insert(key, CachedVerdict { verdict: verdict.clone(), patient, valid_before });
		}
		Ok(Decision { verdict, at_number: n, at_hash: h, cached: false })
	}

	/// Drop what the events of one finalized block may change; `true` when everything went.
	fn invalidate(inner: &mut Inner, events: &subxt_events::Events) -> usize {
		let mut dropped = 0;
		for ev in events.iter() {
			let Ok(ev) = ev else {
				inner.clear();
				return usize::MAX;
			};
			match (ev.pallet_name(), ev.event_name()) {
				("Providers", _) | ("Proxy", _) | ("System", "CodeUpdated") => {
					inner.clear();
					return usize::MAX;
				}
				("Consent", _) => {
					use healthchain::consent::events as ce;
					let pair = if let Some(Ok(e)) = ev.decode_fields_as::<ce::ConsentGranted>() {
						Some((e.patient, e.grantee))
					} else if let Some(Ok(e)) = ev.decode_fields_as::<ce::ConsentUpdated>() {
						Some((e.patient, e.grantee))
					} else if let Some(Ok(e)) = ev.decode_fields_as::<ce::ConsentRevoked>() {
						Some((e.patient, e.grantee))
					} else if let Some(Ok(e)) = ev.decode_fields_as::<ce::ConsentExpired>() {
						Some((e.patient, e.grantee))
					} else if let Some(Ok(e)) = ev.decode_fields_as::<ce::BreakGlassOpened>() {
						Some((e.patient, e.provider))
					} else if let Some(Ok(e)) = ev.decode_fields_as::<ce::BreakGlassClosed>() {
						Some((e.patient, e.provider))
					} else {
						None
					};
					if let Some((patient, org)) = pair {
						let before = inner.decisions.len();
						inner.decisions.retain(|k, v| {
							!(k.0 == org.0 && v.patient.as_ref().is_none_or(|p| p == &patient))
						});
						dropped += before - inner.decisions.len();
					}
				}
				("Records", "RecordRetracted") => {
					if let Some(Ok(e)) =
						ev.decode_fields_as::<healthchain::records::events::RecordRetracted>()
					{
						let before = inner.decisions.len();
						inner.decisions.retain(|k, _| k.1 != e.record_id.0);
						dropped += before - inner.decisions.len();
					}
				}
				_ => {}
			}
		}
		dropped
	}

	fn set_disconnected(&self, why: String) {
		let mut i = self.lock();
		i.connected = false;
		i.error = Some(why);
		i.clear();
		self.metrics.exchange_connected.set(0);
	}

	/// Follow finalized blocks until `shutdown`; `on_block` is told of every finalized block
	/// (after the invalidation).
	pub async fn follow(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
		let mut backoff = Duration::from_millis(250);
		loop {
			if *shutdown.borrow() {
				break;
			}
			let result = tokio::select! {
				r = self.follow_once() => r,
				_ = shutdown.changed() => break,
			};
			if let Err(e) = result {
				tracing::warn!(error = %e, retry_in = ?backoff, "finality follower: lost the node; exchange reads fail closed");
				self.set_disconnected(e.to_string());
			}
			tokio::select! {
				_ = tokio::time::sleep(backoff) => {},
				_ = shutdown.changed() => break,
			}
			backoff = (backoff * 2).min(Duration::from_secs(5));
		}
		self.set_disconnected("stopped".into());
	}

	async fn follow_once(&self) -> Result<(), ChainError> {
		let chain = Chain::connect(&self.chain_url).await?;
		let genesis = chain.genesis_hash();
		// Decisions are taken on this store's chain only.
		match self.store.claim_identity("genesis", &genesis.0).await {
			Ok(Ok(())) => {}
			Ok(Err(stored)) => {
				return Err(ChainError::State(format!(
					"the node at {} serves chain 0x{}, but this database belongs to chain 0x{}",
					self.chain_url,
					hex::encode(genesis.0),
					hex::encode(stored)
				)))
			}
			Err(e) => return Err(ChainError::State(format!("the store's chain identity: {e}"))),
		}
		let mut sub = chain.subscribe_finalized_heads().await?;
		let (n0, h0) = chain.finalized_head().await?;
		{
			let mut i = self.lock();
			i.clear();
			i.head = Some((n0, h0));
			i.connected = true;
			i.error = None;
			i.genesis = Some(genesis);
		}
		self.metrics.exchange_connected.set(1);
		self.metrics.exchange_finalized.set(n0 as i64);
		tracing::info!(finalized = n0, "finality follower: following finalized blocks");
		let mut last = n0;
		while let Some(header) = sub.next().await {
			let header = header.map_err(|e| ChainError::Rpc {
				method: "chain_subscribeFinalizedHeads",
				reason: e.to_string(),
			})?;
			let n = header.number;
			if n <= last {
				continue;
			}
			let tip = healthchain_chain::header_hash(&header);
			for k in last + 1..=n {
				let hash = if k == n {
					tip
				} else {
					chain.block_hash(k).await?.ok_or_else(|| {
						ChainError::State(format!("finalized block {k} has no hash"))
					})?
				};
				let events = chain.at(hash).await?.events().await?;
				let mut i = self.lock();
				let dropped = Self::invalidate(&mut i, &events);
				i.head = Some((k, hash));
				drop(i);
				if dropped > 0 {
					tracing::debug!(
						block = k,
						dropped,
						"finalized events invalidated cached decisions"
					);
				}
			}
			last = n;
			self.metrics.exchange_finalized.set(n as i64);
		}
		Err(ChainError::Unreachable {
			url: self.chain_url.clone(),
			reason: "the finalized-heads subscription ended".into(),
		})
	}
}

/// The events type of the chain client.
mod subxt_events {
	pub type Events = healthchain_chain::subxt::events::Events<healthchain_chain::Config>;
}
