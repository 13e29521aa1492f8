//! The anchorer: drains the outbox into `records.anchorMany` extrinsics and follows each
//! version to finality.
//!
//! Each round:
//! 1. **Finality**: versions in a block at or below the node's finalized head are
//!    `finalized` when that block is still the canonical one at its height (their outbox
//!    entries go), else back to `pending` (the block was abandoned).
//! 2. **Reconcile**: for the oldest pending entries, the chain's own state (at the best block)
//!    says whether the operation is already applied (a record's `created_at`, the
//!    version's `at`, the tombstone's `at`): applied ones become `in_block` without being
//!    sent again. This is what makes a crash between submission and inclusion harmless.
//! 3. **Submit** the rest as one `anchorMany` (amends name the version they create, so even a
//!    duplicate submission cannot add a version twice), wait for a block, and mark operations
//!    the runtime refused for good (`AnchorOpFailed` with an error other than "already
//!    applied") as `failed` with the error's name. The next round's reconciliation picks up
//!    the ones that were applied.
//!
//! When the node is unreachable, writes keep being accepted into the outbox; the anchorer
//! reconnects with backoff and catches up.

use std::{sync::Arc, time::Duration};

use healthchain_chain::{
	healthchain::{self, runtime_types::healthchain_runtime::RuntimeCall},
	AccountId32, AnchorOp, Chain, ChainError, ProxyType, RecordKind, RecordStatus, RetractReason,
	Scope, Submitter, H256,
};
use tokio::sync::{watch, Notify};

use crate::{
	metrics::{labels, Metrics},
	store::{OutboxItem, Store},
};

/// Shared state the HTTP side reads.
#[derive(Default)]
pub struct ChainStatus {
	pub connected: std::sync::atomic::AtomicBool,
	pub best: std::sync::atomic::AtomicU64,
	pub finalized: std::sync::atomic::AtomicU64,
	/// Why the anchorer does not anchor, when it is not the node being down.
	pub error: std::sync::Mutex<Option<String>>,
}

/// What the anchorer needs.
pub struct Anchorer {
	pub store: Arc<Store>,
	pub submitter: Arc<Submitter>,
	pub chain_url: String,
	pub batch: usize,
	/// How many anchorMany extrinsics may be in flight at once.
	pub in_flight: usize,
	/// One `anchorMany` per round (`false`: one extrinsic per operation, for benchmarks).
	pub many: bool,
	pub poll: Duration,
	pub timeout: Duration,
	pub metrics: Arc<Metrics>,
	pub status: Arc<ChainStatus>,
	/// Woken by every write.
	pub wake: Arc<Notify>,
	/// Told of every version finalized (subscribers of the exchange).
	pub finalized_tx: tokio::sync::broadcast::Sender<crate::exchange::FinalizedVersion>,
}

/// Operations the runtime refuses because they were applied already; the chain's state decides.
const ALREADY_APPLIED: &[&str] =
	&["Records.RecordAlreadyExists", "Records.VersionMismatch", "Records.RecordRetracted"];
/// After this many submissions an operation still not applied is marked failed.
const MAX_ATTEMPTS: i64 = 5;

fn h256(bytes: &[u8]) -> H256 {
	let mut a = [0u8; 32];
	let n = bytes.len().min(32);
	a[..n].copy_from_slice(&bytes[..n]);
	H256(a)
}

fn scope(code: i64) -> Scope {
	match code {
		1 => Scope::Labs,
		2 => Scope::Imaging,
		3 => Scope::Medications,
		4 => Scope::MentalHealth,
		5 => Scope::Genomics,
		6 => Scope::Billing,
		_ => Scope::Clinical,
	}
}

fn reason(code: Option<&str>) -> RetractReason {
	match code {
		Some("entered-in-error") => RetractReason::EnteredInError,
		Some("duplicate") => RetractReason::Duplicate,
		Some("patient-request") => RetractReason::PatientRequest,
		Some("replaced") => RetractReason::Replaced,
		_ => RetractReason::Other,
	}
}

/// The `anchorMany` operation of an outbox entry.
pub fn op_of(item: &OutboxItem) -> AnchorOp<AccountId32> {
	match item.op.as_str() {
		"anchor" => AnchorOp::Anchor {
			local_id: h256(&item.local_id),
			subject: AccountId32(h256(&item.subject).0),
			digest: h256(item.digest.as_deref().unwrap_or_default()),
			kind: RecordKind(item.kind as u16),
			scope: scope(item.scope),
		},
		"amend" => AnchorOp::Amend {
			record_id: h256(&item.record_id),
			version: item.version as u32,
			digest: h256(item.digest.as_deref().unwrap_or_default()),
		},
		_ => AnchorOp::Retract {
			record_id: h256(&item.record_id),
			reason: reason(item.retract_reason.as_deref()),
		},
	}
}

/// Where the chain (at block `at`) already holds this operation: the block number it was
/// applied in, or `None` when it is not applied.
pub async fn applied_at(
	at: &healthchain_chain::AtBlock,
	item: &OutboxItem,
) -> Result<Option<u64>, ChainError> {
	let record_id = h256(&item.record_id);
	let Some(entry) = at.record(record_id).await? else { return Ok(None) };
	let version = item.version as u32;
	Ok(match item.op.as_str() {
		"anchor" => Some(entry.created_at.into()),
		"amend" if entry.versions == version => Some(entry.updated_at.into()),
		"amend" if entry.versions > version => {
			at.record_version(record_id, version).await?.map(|v| v.at.into())
		}
		"amend" => None,
		_ => match entry.status {
			RecordStatus::Retracted { at, .. } => Some(at.into()),
			RecordStatus::Active => None,
		},
	})
}

impl Anchorer {
	/// Run until `shutdown` turns true.
	pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
		let mut backoff = Duration::from_millis(250);
		let mut chain: Option<Chain> = None;
		let mut failed_backoff = Duration::from_secs(5);
		loop {
			if *shutdown.borrow() {
				break;
			}
			let c = match &chain {
				Some(c) => c.clone(),
				None => match Chain::connect(&self.chain_url).await {
					Ok(c) => {
						// Anchors of this store live on one chain: never anchor onto another.
						match self
							.store
							.claim_identity("genesis", &c.client().genesis_hash().0)
							.await
						{
							Ok(Ok(())) => {}
							Ok(Err(stored)) => {
								let msg = format!(
									"the node at {} serves chain 0x{}, but this database's records are anchored on chain 0x{}: not anchoring (point chain_url at that chain's node, or use another database)",
									self.chain_url,
									hex::encode(c.client().genesis_hash().0),
									hex::encode(stored)
								);
								tracing::error!("{msg}");
								*self.status.error.lock().unwrap_or_else(|e| e.into_inner()) =
									Some(msg);
								self.set_connected(false);
								self.sleep_or_shutdown(Duration::from_secs(30), &mut shutdown)
									.await;
								continue;
							}
							Err(e) => {
								tracing::error!(error = %e, "cannot read the store's chain identity");
								self.sleep_or_shutdown(backoff, &mut shutdown).await;
								continue;
							}
						}
						*self.status.error.lock().unwrap_or_else(|e| e.into_inner()) = None;
						tracing::info!(url = %self.chain_url, "connected to the node");
						self.set_connected(true);
						self.submitter.reset_nonce().await;
						backoff = Duration::from_millis(250);
						chain = Some(c.clone());
						c
					}
					Err(e) => {
						self.set_connected(false);
						tracing::warn!(error = %e, retry_in = ?backoff, "node unreachable; writes stay in the outbox");
						self.sleep_or_shutdown(backoff, &mut shutdown).await;
						backoff = (backoff * 2).min(Duration::from_secs(10));
						continue;
					}
				},
			};
			match self.round(&c).await {
				Ok(true) => failed_backoff = Duration::from_secs(5),
				Ok(false) => {
					// Nothing to send: wait for a write or the next poll.
					tokio::select! {
						_ = self.wake.notified() => {},
						_ = tokio::time::sleep(self.poll) => {},
						_ = shutdown.changed() => {},
					}
				}
				Err(e) if e.is_chain() => {
					tracing::warn!(error = %e, "lost the node; reconnecting");
					self.set_connected(false);
					chain = None;
					self.sleep_or_shutdown(backoff, &mut shutdown).await;
				}
				Err(RoundError::CallFailed(e)) => {
					tracing::error!(error = %e, retry_in = ?failed_backoff, "anchoring refused by the chain");
					self.sleep_or_shutdown(failed_backoff, &mut shutdown).await;
					failed_backoff = (failed_backoff * 2).min(Duration::from_secs(300));
				}
				Err(e) => {
					tracing::error!(error = %e, "anchoring round failed");
					self.sleep_or_shutdown(self.poll, &mut shutdown).await;
				}
			}
		}
		tracing::info!("anchorer stopped");
	}

	async fn sleep_or_shutdown(&self, d: Duration, shutdown: &mut watch::Receiver<bool>) {
		tokio::select! {
			_ = tokio::time::sleep(d) => {},
			_ = shutdown.changed() => {},
		}
	}

	fn set_connected(&self, up: bool) {
		self.status.connected.store(up, std::sync::atomic::Ordering::Relaxed);
		self.metrics.chain_connected.set(i64::from(up));
	}

	/// One round; `Ok(true)` when something was submitted or may still be waiting.
	async fn round(&self, chain: &Chain) -> Result<bool, RoundError> {
		use std::sync::atomic::Ordering::Relaxed;
		let (fin_n, _) = chain.finalized_head().await?;
		let (best_n, best_h) = chain.best_head().await?;
		self.status.best.store(best_n, Relaxed);
		self.status.finalized.store(fin_n, Relaxed);
		self.metrics.chain_best.set(best_n as i64);
		self.metrics.chain_finalized.set(fin_n as i64);

		// 1. Finality.
		let mut canonical_hashes = std::collections::HashMap::new();
		let (mut finalized, mut abandoned) = (Vec::new(), Vec::new());
		for item in self.store.in_block_upto(fin_n as i64).await? {
			let n = item.block_number as u64;
			let canonical = match canonical_hashes.get(&n) {
				Some(h) => *h,
				None => {
					let h = chain.block_hash(n).await?;
					canonical_hashes.insert(n, h);
					h
				}
			};
			if canonical.map(|h| h.0.to_vec()) == Some(item.block_hash.clone()) {
				finalized.push(item);
			} else {
				tracing::warn!(resource = %item.id, version = item.version, "anchor block abandoned; anchoring again");
				abandoned.push(item);
			}
		}
		self.store.mark_finalized_many(&finalized).await?;
		for item in &finalized {
			// No subscriber is not an error.
			let _ = self.finalized_tx.send(crate::exchange::FinalizedVersion {
				resource_type: item.resource_type.clone(),
				id: item.id.clone(),
				version: item.version,
			});
		}
		for item in &abandoned {
			self.store.mark_pending(item).await?;
		}

		// 2. Reconcile against the best block.
		let items = self.store.outbox_pending((self.batch * self.in_flight) as i64).await?;
		if items.is_empty() {
			return Ok(false);
		}
		// Only entries that were submitted before can be on chain already.
		let at =
			if items.iter().any(|i| i.submitted) { Some(chain.at(best_h).await?) } else { None };
		let mut to_send = Vec::new();
		let mut hashes = std::collections::HashMap::new();
		for item in items {
			let applied = match (&at, item.submitted) {
				(Some(at), true) => applied_at(at, &item).await?,
				_ => None,
			};
			match applied {
				Some(n) => {
					let hash = match hashes.get(&n) {
						Some(h) => *h,
						None => {
							let h = chain.block_hash(n).await?.unwrap_or(best_h);
							hashes.insert(n, h);
							h
						}
					};
					self.store
						.mark_in_block(
							&item.resource_type,
							&item.id,
							item.version,
							n as i64,
							&hash.0,
						)
						.await?;
					self.metrics.anchored_ops.get_or_create(&labels(&[("op", &item.op)])).inc();
				}
				None if item.attempts >= MAX_ATTEMPTS => {
					self.store
						.mark_failed(
							&item.resource_type,
							&item.id,
							item.version,
							"not applied after 5 submissions",
						)
						.await?;
				}
				None => to_send.push(item),
			}
		}
		if to_send.is_empty() {
			return Ok(true);
		}

		// 3. Submit.
		if !self.many {
			self.store.mark_submitted(&to_send.iter().map(|i| i.seq).collect::<Vec<_>>()).await?;
			return self.submit_singly(chain, &to_send).await;
		}
		// Write-ahead: from here on these entries may be on chain, so a restart reconciles them.
		self.store.mark_submitted(&to_send.iter().map(|i| i.seq).collect::<Vec<_>>()).await?;
		// Up to `in_flight` anchorMany extrinsics at once (consecutive nonces), then each one's
		// block and events.
		let mut in_flight = Vec::new();
		for chunk in to_send.chunks(self.batch) {
			match self.submit_many(chain, chunk).await {
				Ok(progress) => in_flight.push((chunk, progress)),
				Err(e) if in_flight.is_empty() => return Err(e),
				Err(e) => {
					tracing::warn!(error = %e, "anchorMany refused; the rest waits for the next round");
					break;
				}
			}
		}
		let timeout = self.timeout;
		let results =
			futures::future::join_all(in_flight.into_iter().map(|(chunk, p)| async move {
				(chunk, healthchain_chain::wait_in_block(p, timeout).await)
			}))
			.await;
		let mut whole_failure = None;
		for (chunk, result) in results {
			match result {
				Ok((block, events)) => {
					if let Err(e) = self.settle(chain, chunk, block, &events).await {
						match e {
							RoundError::CallFailed(name) => whole_failure = Some(name),
							other => return Err(other),
						}
					}
				}
				Err(e) => {
					self.metrics.submissions.get_or_create(&labels(&[("result", "timeout")])).inc();
					// The next round reconciles whatever was applied.
					tracing::warn!(error = %e, "anchoring transaction not seen in a block");
				}
			}
		}
		if let Some(name) = whole_failure {
			return Err(RoundError::CallFailed(name));
		}
		Ok(true)
	}
}

impl Anchorer {
	/// Sign and submit one anchorMany of `items`.
	async fn submit_many(
		&self,
		chain: &Chain,
		items: &[OutboxItem],
	) -> Result<healthchain_chain::Progress, RoundError> {
		use healthchain::runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_records::pallet::Call,
		};
		let ops: Vec<_> = items.iter().map(op_of).collect();
		let payload = healthchain::tx().records().anchor_many(BoundedVec(ops.clone()));
		let call = || RuntimeCall::Records(Call::anchor_many { ops: BoundedVec(ops.clone()) });
		match self
			.submitter
			.submit_as(chain, &payload, call, &[ProxyType::Records, ProxyType::Any])
			.await
		{
			Ok(p) => {
				self.metrics.submitted.inc();
				Ok(p)
			}
			Err(e) => {
				self.metrics.submissions.get_or_create(&labels(&[("result", "refused")])).inc();
				Err(e.into())
			}
		}
	}

	/// An anchorMany of `items` is in `block`: from its events, every operation without an
	/// `AnchorOpFailed` is in that block; a refused one is `failed` with the error's name,
	/// unless the error says it was applied before (then the next round's reconciliation
	/// finds where).
	async fn settle(
		&self,
		chain: &Chain,
		items: &[OutboxItem],
		block: H256,
		events: &healthchain_chain::subxt::extrinsics::ExtrinsicEvents<healthchain_chain::Config>,
	) -> Result<(), RoundError> {
		// The call failed as a whole (e.g. the organisation is not an active provider):
		// nothing applied, nothing counted against the operations; they stay pending.
		let whole = match events.find_first::<healthchain::system::events::ExtrinsicFailed>() {
			Some(Ok(f)) => Some(chain.describe_dispatch_error(&f.dispatch_error)),
			_ => match events.find_first::<healthchain::proxy::events::ProxyExecuted>() {
				Some(Ok(healthchain::proxy::events::ProxyExecuted { result: Err(e) })) => {
					Some(chain.describe_dispatch_error(&e))
				}
				_ => None,
			},
		};
		if let Some(name) = whole {
			self.metrics.submissions.get_or_create(&labels(&[("result", "failed")])).inc();
			return Err(RoundError::CallFailed(name));
		}
		self.metrics.submissions.get_or_create(&labels(&[("result", "in_block")])).inc();
		self.store.count_attempt(&items.iter().map(|i| i.seq).collect::<Vec<_>>()).await?;
		let mut refused = std::collections::HashMap::new();
		for ev in events.find::<healthchain::records::events::AnchorOpFailed>() {
			match ev {
				Ok(ev) => {
					refused.insert(ev.index as usize, chain.describe_dispatch_error(&ev.error));
				}
				Err(e) => tracing::warn!(error = %e, "undecodable AnchorOpFailed event"),
			}
		}
		let number = chain.block_number(block).await?;
		let mut applied = Vec::new();
		for (index, item) in items.iter().enumerate() {
			match refused.get(&index) {
				None => {
					applied.push((item.resource_type.clone(), item.id.clone(), item.version));
					self.metrics.anchored_ops.get_or_create(&labels(&[("op", &item.op)])).inc();
				}
				Some(name) if ALREADY_APPLIED.contains(&name.as_str()) => {}
				Some(name) => {
					tracing::warn!(resource = %item.id, version = item.version, error = %name, "the chain refused an anchor");
					self.store
						.mark_failed(&item.resource_type, &item.id, item.version, name)
						.await?;
				}
			}
		}
		self.store.mark_in_block_many(&applied, number as i64, &block.0).await?;
		tracing::info!(ops = items.len(), refused = refused.len(), block = %block, number, "anchorMany in block");
		Ok(())
	}

	/// Benchmark mode: one `anchor` / `amend` / `retract` extrinsic per operation, all in
	/// flight at once (consecutive nonces), then wait for each to reach a block.
	async fn submit_singly(&self, chain: &Chain, items: &[OutboxItem]) -> Result<bool, RoundError> {
		use healthchain::runtime_types::pallet_records::pallet::Call;
		let mut progresses = Vec::new();
		for item in items {
			let submitted = match op_of(item) {
				AnchorOp::Anchor { local_id, subject, digest, kind, scope } => {
					let payload = healthchain::tx().records().anchor(
						local_id,
						subject,
						digest,
						kind.clone(),
						scope.clone(),
					);
					let call = || {
						RuntimeCall::Records(Call::anchor {
							local_id,
							subject,
							digest,
							kind: kind.clone(),
							scope: scope.clone(),
						})
					};
					self.submitter.submit(chain, &payload, call).await
				}
				AnchorOp::Amend { record_id, digest, .. } => {
					let payload = healthchain::tx().records().amend(record_id, digest);
					let call = || RuntimeCall::Records(Call::amend { record_id, digest });
					self.submitter.submit(chain, &payload, call).await
				}
				AnchorOp::Retract { record_id, reason } => {
					let payload = healthchain::tx().records().retract(record_id, reason.clone());
					let call = || {
						RuntimeCall::Records(Call::retract { record_id, reason: reason.clone() })
					};
					self.submitter.submit(chain, &payload, call).await
				}
			};
			match submitted {
				Ok(p) => {
					self.metrics.submitted.inc();
					progresses.push(p);
				}
				Err(e) => {
					self.metrics.submissions.get_or_create(&labels(&[("result", "refused")])).inc();
					tracing::warn!(error = %e, "single anchor refused");
					break;
				}
			}
		}
		let timeout = self.timeout;
		let results = futures::future::join_all(
			progresses.into_iter().map(|p| healthchain_chain::wait_in_block(p, timeout)),
		)
		.await;
		for r in results {
			let result = if r.is_ok() { "in_block" } else { "timeout" };
			self.metrics.submissions.get_or_create(&labels(&[("result", result)])).inc();
		}
		Ok(true)
	}
}

/// A round fails on the chain (reconnect) or on the store (retry later).
#[derive(Debug, thiserror::Error)]
enum RoundError {
	#[error(transparent)]
	Chain(#[from] ChainError),
	#[error(transparent)]
	Store(#[from] crate::error::GatewayError),
	/// The whole call failed (e.g. the organisation is not an active provider, or the proxy
	/// is not allowed): nothing applied; retried after a growing pause, not every round.
	#[error("records.anchorMany failed as a whole: {0}; the versions stay pending")]
	CallFailed(String),
}

impl RoundError {
	fn is_chain(&self) -> bool {
		matches!(self, RoundError::Chain(_))
	}
}
