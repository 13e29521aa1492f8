//! The disclosure recorder: every release to another organisation is recorded on chain by
//! this organisation (the custodian: HIPAA's accounting of disclosures is the disclosing
//! entity's duty) with `consent.recordDisclosures`, from a durable queue written in the same
//! transaction as the release's AuditEvent, before the response.
//!
//! Each round:
//! 1. **Finality**: disclosures in a block at or below the finalized head become `finalized`
//!    when that block is still canonical, else they are looked for again from that block.
//! 2. **Unconfirmed** ones (submitted, then a crash, a timeout or an abandoned block): the
//!    blocks since their submission are read (each once) and their `RecordDisclosed` events of
//!    this organisation matched against them; found ones are `in_block`. Those not found once
//!    their transaction can no longer be included (it is mortal: `mortality` blocks) are sent
//!    again. A disclosure is never recorded twice by a restart, and never dropped.
//! 3. **Send** the oldest pending ones (at most `batch`, the runtime allows 512) in one call,
//!    wait for its block and mark them with block number, hash and extrinsic index. An entry
//!    the chain refuses (`InvalidDisclosure { index, fault }`) is marked failed with the fault;
//!    the rest go again at once. A call failing as a whole (the organisation not active)
//!    backs off.

use std::{collections::HashMap, sync::Arc, time::Duration};

use healthchain_chain::{
	healthchain::{self, runtime_types::healthchain_runtime::RuntimeCall},
	AccountId32, Chain, ChainError, DisclosureEntry, ProxyType, Submitter, H256,
};
use tokio::sync::{watch, Notify};

use crate::{
	access::purpose_of_index,
	metrics::{labels, Metrics},
	store::{DisclosureRow, Store},
};

/// What the recorder needs.
pub struct Recorder {
	pub store: Arc<Store>,
	pub submitter: Arc<Submitter>,
	pub chain_url: String,
	pub batch: usize,
	pub poll: Duration,
	pub timeout: Duration,
	pub metrics: Arc<Metrics>,
	/// Woken by every release.
	pub wake: Arc<Notify>,
	/// Nonces older than this many seconds are pruned each round.
	pub nonce_horizon_secs: i64,
	/// How far each unconfirmed disclosure was looked for on chain (by seq).
	pub scanned: std::sync::Mutex<HashMap<i64, i64>>,
}

fn h256(b: &[u8]) -> H256 {
	let mut a = [0u8; 32];
	let n = b.len().min(32);
	a[..n].copy_from_slice(&b[..n]);
	H256(a)
}

fn entry_of(r: &DisclosureRow) -> DisclosureEntry<AccountId32, u32> {
	DisclosureEntry {
		recipient: AccountId32(h256(&r.recipient).0),
		patient: AccountId32(h256(&r.patient).0),
		record_id: h256(&r.record_id),
		purpose: purpose_of_index(r.purpose),
		checked_at: r.checked_at as u32,
	}
}

/// The identity of a disclosure as its event shows it.
type Key = ([u8; 32], [u8; 32], [u8; 32], i64, u64);

fn key_of(r: &DisclosureRow) -> Key {
	(h256(&r.recipient).0, h256(&r.patient).0, h256(&r.record_id).0, r.purpose, r.checked_at as u64)
}

#[derive(Debug, thiserror::Error)]
enum RoundError {
	#[error(transparent)]
	Chain(#[from] ChainError),
	#[error(transparent)]
	Store(#[from] crate::error::GatewayError),
	#[error("consent.recordDisclosures failed as a whole: {0}; the disclosures stay queued")]
	CallFailed(String),
}

impl Recorder {
	/// Run until `shutdown` turns true.
	pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
		let mut chain: Option<Chain> = None;
		let mut backoff = Duration::from_millis(250);
		let mut failed_backoff = Duration::from_secs(5);
		loop {
			if *shutdown.borrow() {
				break;
			}
			let c = match &chain {
				Some(c) => c.clone(),
				None => match Chain::connect(&self.chain_url).await {
					Ok(c) => {
						backoff = Duration::from_millis(250);
						chain = Some(c.clone());
						c
					}
					Err(e) => {
						tracing::debug!(error = %e, "disclosure recorder: node unreachable");
						self.sleep(backoff, &mut shutdown).await;
						backoff = (backoff * 2).min(Duration::from_secs(10));
						continue;
					}
				},
			};
			let now = time::OffsetDateTime::now_utc().unix_timestamp();
			if let Err(e) = self.store.prune_nonces(now - self.nonce_horizon_secs).await {
				tracing::warn!(error = %e, "cannot prune request nonces");
			}
			match self.round(&c).await {
				Ok(true) => failed_backoff = Duration::from_secs(5),
				Ok(false) => {
					tokio::select! {
						_ = self.wake.notified() => {},
						_ = tokio::time::sleep(self.poll) => {},
						_ = shutdown.changed() => {},
					}
				}
				Err(RoundError::Chain(e)) => {
					tracing::warn!(error = %e, "disclosure recorder: lost the node");
					chain = None;
					self.sleep(backoff, &mut shutdown).await;
				}
				Err(RoundError::CallFailed(e)) => {
					tracing::error!(error = %e, retry_in = ?failed_backoff, "recording disclosures refused by the chain");
					self.sleep(failed_backoff, &mut shutdown).await;
					failed_backoff = (failed_backoff * 2).min(Duration::from_secs(300));
				}
				Err(e) => {
					tracing::error!(error = %e, "disclosure round failed");
					self.sleep(self.poll, &mut shutdown).await;
				}
			}
		}
		tracing::info!("disclosure recorder stopped");
	}

	async fn sleep(&self, d: Duration, shutdown: &mut watch::Receiver<bool>) {
		tokio::select! {
			_ = tokio::time::sleep(d) => {},
			_ = shutdown.changed() => {},
		}
	}

	/// One round; `Ok(true)` when there may be more to do at once.
	async fn round(&self, chain: &Chain) -> Result<bool, RoundError> {
		let (fin_n, _) = chain.finalized_head().await?;
		let (best_n, _) = chain.best_head().await?;
		let mut busy = false;

		// 1. Finality.
		let waiting = self.store.disclosures_in_block_upto(fin_n as i64).await?;
		let mut canonical: HashMap<i64, Option<H256>> = HashMap::new();
		let (mut finalized, mut abandoned) = (Vec::new(), Vec::new());
		for r in waiting {
			let n = r.block_number.unwrap_or_default();
			let h = match canonical.get(&n) {
				Some(h) => *h,
				None => {
					let h = chain.block_hash(n as u64).await?;
					canonical.insert(n, h);
					h
				}
			};
			if h.map(|h| h.0.to_vec()) == r.block_hash {
				finalized.push(r.seq);
			} else {
				abandoned.push(r);
			}
		}
		self.store.mark_disclosures_finalized(&finalized).await?;
		if !abandoned.is_empty() {
			tracing::warn!(
				n = abandoned.len(),
				"disclosure block abandoned; looking for them again"
			);
			self.store.mark_disclosures_abandoned(&abandoned).await?;
		}

		// 2. Unconfirmed: look for them in the blocks since their submission; send again the
		// ones whose transaction can no longer be included.
		let unconfirmed = self.store.disclosures_unconfirmed().await?;
		if !unconfirmed.is_empty() {
			busy |= self.reconcile(chain, unconfirmed, best_n as i64).await?;
		}

		// 3. Send.
		let rows = self.store.disclosures_to_send(self.batch as i64).await?;
		if rows.is_empty() {
			return Ok(busy);
		}
		let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
		self.store.mark_disclosures_submitted(&seqs, best_n as i64).await?;
		let entries: Vec<_> = rows.iter().map(entry_of).collect();
		let progress = {
			use healthchain::runtime_types::{
				bounded_collections::bounded_vec::BoundedVec, pallet_consent::pallet::Call,
			};
			let payload =
				healthchain::tx().consent().record_disclosures(BoundedVec(entries.clone()));
			let call = || {
				RuntimeCall::Consent(Call::record_disclosures {
					entries: BoundedVec(entries.clone()),
				})
			};
			match self
				.submitter
				.submit_as(chain, &payload, call, &[ProxyType::AccessLog, ProxyType::Any])
				.await
			{
				Ok(p) => p,
				Err(e) => {
					// Refused by the pool: certainly not on chain.
					self.store.clear_disclosures_submitted(&seqs).await?;
					self.metrics
						.disclosure_submissions
						.get_or_create(&labels(&[("result", "refused")]))
						.inc();
					return Err(e.into());
				}
			}
		};
		let (block, events) = match healthchain_chain::wait_in_block(progress, self.timeout).await {
			Ok(x) => x,
			Err(e) => {
				// Maybe included later: step 2 finds out once the transaction has expired.
				self.metrics
					.disclosure_submissions
					.get_or_create(&labels(&[("result", "timeout")]))
					.inc();
				tracing::warn!(error = %e, "disclosure transaction not seen in a block");
				return Ok(true);
			}
		};
		let whole = match events.find_first::<healthchain::system::events::ExtrinsicFailed>() {
			Some(Ok(f)) => Some(f.dispatch_error),
			_ => match events.find_first::<healthchain::proxy::events::ProxyExecuted>() {
				Some(Ok(healthchain::proxy::events::ProxyExecuted { result: Err(e) })) => Some(e),
				_ => None,
			},
		};
		if let Some(err) = whole {
			self.metrics
				.disclosure_submissions
				.get_or_create(&labels(&[("result", "failed")]))
				.inc();
			let name = chain.describe_dispatch_error(&err);
			// Nothing was recorded. A wrong entry is named by its index: it fails alone.
			use healthchain::runtime_types::sp_runtime::DispatchError;
			if let (DispatchError::Module(m), true) = (&err, name == "Consent.InvalidDisclosure") {
				let index = u16::from_le_bytes([m.error[1], m.error[2]]) as usize;
				let fault = match m.error[3] {
					0 => "UnknownRecord",
					1 => "RecordNotOfPatient",
					2 => "CheckedInFuture",
					_ => "RecipientIsDiscloser",
				};
				if let Some(bad) = rows.get(index) {
					tracing::error!(seq = bad.seq, fault, "the chain refused a disclosure entry");
					self.store.mark_disclosure_failed(bad.seq, &format!("{name}: {fault}")).await?;
				}
				let rest: Vec<i64> = rows
					.iter()
					.enumerate()
					.filter(|(i, _)| *i != index)
					.map(|(_, r)| r.seq)
					.collect();
				self.store.clear_disclosures_submitted(&rest).await?;
				return Ok(true);
			}
			self.store.clear_disclosures_submitted(&seqs).await?;
			return Err(RoundError::CallFailed(name));
		}
		let number = chain.block_number(block).await?;
		self.store
			.mark_disclosures_in_block(
				&seqs,
				number as i64,
				&block.0,
				events.extrinsic_index() as i64,
			)
			.await?;
		self.metrics.disclosure_submissions.get_or_create(&labels(&[("result", "in_block")])).inc();
		self.metrics.disclosures_recorded.inc_by(seqs.len() as u64);
		tracing::info!(disclosures = seqs.len(), number, block = %block, "disclosures recorded on chain");
		Ok(true)
	}

	/// Look for unconfirmed `rows` in the blocks since their submission (each block read once:
	/// `scanned` remembers how far each row was looked for), mark the found ones, and send
	/// again those whose transaction is past its mortality. `true` when something changed.
	async fn reconcile(
		&self,
		chain: &Chain,
		rows: Vec<DisclosureRow>,
		best: i64,
	) -> Result<bool, RoundError> {
		let mortality = self.submitter.mortality as i64;
		let from = {
			let scanned = self.scanned.lock().unwrap_or_else(|e| e.into_inner());
			rows.iter()
				.map(|r| match scanned.get(&r.seq) {
					Some(done) => done + 1,
					None => r.submitted_block.unwrap_or_default(),
				})
				.min()
				.unwrap_or(best + 1)
				.max(0)
		};
		let me = self.submitter.signer().organisation();
		let mut wanted: HashMap<Key, Vec<i64>> = HashMap::new();
		for r in &rows {
			wanted.entry(key_of(r)).or_default().push(r.seq);
		}
		let mut found = 0;
		for n in from..=best {
			let Some(hash) = chain.block_hash(n as u64).await? else { break };
			let events = chain.at(hash).await?.events().await?;
			for ev in events.iter() {
				let Ok(ev) = ev else { continue };
				let Some(Ok(e)) =
					ev.decode_fields_as::<healthchain::consent::events::RecordDisclosed>()
				else {
					continue;
				};
				if e.discloser != me {
					continue;
				}
				let key = (
					e.recipient.0,
					e.patient.0,
					e.record_id.0,
					crate::access::purpose_index(&e.purpose),
					u64::from(e.checked_at),
				);
				if let Some(seq) = wanted.get_mut(&key).and_then(|seqs| seqs.pop()) {
					let index = match ev.phase() {
						healthchain_chain::subxt::events::Phase::ApplyExtrinsic(i) => i as i64,
						_ => -1,
					};
					self.store.mark_disclosures_in_block(&[seq], n, &hash.0, index).await?;
					found += 1;
				}
			}
		}
		let still: std::collections::HashSet<i64> = wanted.into_values().flatten().collect();
		let expired: Vec<i64> = rows
			.iter()
			.filter(|r| still.contains(&r.seq))
			.filter(|r| r.submitted_block.is_some_and(|b| best > b + mortality))
			.map(|r| r.seq)
			.collect();
		{
			let mut scanned = self.scanned.lock().unwrap_or_else(|e| e.into_inner());
			scanned.retain(|seq, _| still.contains(seq));
			for seq in &still {
				scanned.insert(*seq, best);
			}
			for seq in &expired {
				scanned.remove(seq);
			}
		}
		if found > 0 {
			tracing::info!(found, "unconfirmed disclosures found on chain");
		}
		if !expired.is_empty() {
			tracing::info!(
				n = expired.len(),
				"unconfirmed disclosures not on chain; sending them again"
			);
			self.store.clear_disclosures_submitted(&expired).await?;
		}
		Ok(found > 0 || !expired.is_empty())
	}
}
