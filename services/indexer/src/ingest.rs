//! Following finalized blocks: fetch a block (its extrinsics, events and timestamp, decoded
//! with the metadata of the runtime that produced it), turn it into [`BlockFacts`], and write
//! it in one transaction. Catching up fetches `fetch_ahead` blocks concurrently and writes
//! them in order; a lost node is reconnected with backoff; a block that cannot be decoded
//! stops the indexer at that block (never a silent gap in an audit trail).

use std::{sync::Arc, time::Duration};

use futures::StreamExt;
use healthchain_chain::{
	healthchain,
	subxt::{self, events::Phase},
	Chain,
};

use crate::{
	error::IndexerError,
	facts::{snake, Access, At, BlockFacts, ExtrinsicFact, Fact},
	metrics::Metrics,
	store::Store,
};

/// What the follower reports to `/health`.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
	pub connected: bool,
	pub last_indexed: Option<u64>,
	pub finalized: Option<u64>,
	pub spec_version: Option<u32>,
	pub last_error: Option<String>,
}

/// The variants (index, API name) of one of the chain's enums, read from the metadata the
/// client was generated from: a renamed or added variant follows the runtime, not a table
/// here.
fn enum_variants(path: &str) -> Vec<(u8, String)> {
	let Ok(m) = subxt::Metadata::decode_from(healthchain_chain::METADATA) else {
		return vec![];
	};
	for t in m.types().types.iter() {
		if t.ty.path.segments.join("::") == path {
			if let scale_info::TypeDef::Variant(v) = &t.ty.type_def {
				return v.variants.iter().map(|v| (v.index, snake(&v.name))).collect();
			}
		}
	}
	vec![]
}

fn scopes() -> &'static [(u8, String)] {
	static S: std::sync::OnceLock<Vec<(u8, String)>> = std::sync::OnceLock::new();
	S.get_or_init(|| enum_variants("healthchain_primitives::sets::Scope"))
}

fn purposes() -> &'static [(u8, String)] {
	static S: std::sync::OnceLock<Vec<(u8, String)>> = std::sync::OnceLock::new();
	S.get_or_init(|| enum_variants("healthchain_primitives::sets::Purpose"))
}

/// Provider roles by bit. The runtime's metadata has only the bit set (`Roles`), not the
/// `Role` enum, so the names are those of `healthchain_primitives::sets::Role`
/// (pallets/primitives/src/sets.rs).
const ROLES: &[(u8, &str)] = &[
	(0, "hospital"),
	(1, "clinic"),
	(2, "lab"),
	(3, "pharmacy"),
	(4, "insurer"),
	(5, "emergency"),
];

/// Names of a bit set's members (`bitN` for a bit the names do not know).
fn set_names(bits: u64, names: &[(u8, String)]) -> String {
	(0..64u8)
		.filter(|i| bits & (1u64 << i) != 0)
		.map(|i| {
			names
				.iter()
				.find(|(n, _)| *n == i)
				.map(|(_, s)| s.clone())
				.unwrap_or_else(|| format!("bit{i}"))
		})
		.collect::<Vec<_>>()
		.join(",")
}

/// Every scope's API name (`labs`, `mental_health`, ...), from the chain's enum.
pub fn scope_names() -> Vec<String> {
	scopes().iter().map(|(_, s)| s.clone()).collect()
}

/// Every purpose's API name (`treatment`, `payment`, ...), from the chain's enum.
pub fn purpose_names() -> Vec<String> {
	purposes().iter().map(|(_, s)| s.clone()).collect()
}

fn name<T: std::fmt::Debug>(v: &T) -> String {
	snake(&format!("{v:?}"))
}

type Events = subxt::events::Events<healthchain_chain::Config>;

fn decode<E: subxt::events::DecodeAsEvent>(
	ev: &subxt::events::Event<'_, healthchain_chain::Config>,
	block: u64,
) -> Result<E, IndexerError> {
	let what = format!("{}.{}", ev.pallet_name(), ev.event_name());
	match ev.decode_fields_as::<E>() {
		Some(Ok(e)) => Ok(e),
		Some(Err(e)) => Err(IndexerError::Decode { block, what, reason: e.to_string() }),
		None => Err(IndexerError::Decode { block, what, reason: "not this event".into() }),
	}
}

/// Fetch and decode block `number` (which must be finalized).
pub async fn fetch_block(chain: &Chain, number: u64) -> Result<BlockFacts, IndexerError> {
	let hash = chain.block_hash(number).await?.ok_or_else(|| {
		IndexerError::Chain(healthchain_chain::ChainError::State(format!(
			"the node has no block {number}"
		)))
	})?;
	let state = |e: String| IndexerError::Chain(healthchain_chain::ChainError::State(e));
	let at = chain.client().at_block(hash).await.map_err(|e| state(e.to_string()))?;
	let spec_version = at.spec_version();
	let extrinsics = at.extrinsics().fetch().await.map_err(|e| state(e.to_string()))?;
	let events = at.events().fetch().await.map_err(|e| state(e.to_string()))?;
	let metadata = at.metadata();
	let mut block = BlockFacts {
		number,
		hash: hash.0,
		spec_version,
		extrinsic_count: extrinsics.len() as u32,
		event_count: events.len(),
		..Default::default()
	};
	for ext in extrinsics.iter() {
		let ext = ext.map_err(|e| IndexerError::Decode {
			block: number,
			what: "an extrinsic".into(),
			reason: e.to_string(),
		})?;
		if ext.pallet_name() == "Timestamp" && ext.call_name() == "set" {
			if let Some(f) = ext.iter_call_data_fields().find(|f| f.name() == "now") {
				let now: u64 = f.decode_as().map_err(|e| IndexerError::Decode {
					block: number,
					what: "Timestamp.set".into(),
					reason: e.to_string(),
				})?;
				block.ts_ms = now as i64;
			}
		}
		// Signed transactions, and general (v5) transactions such as a fee-less patient
		// call (no signature; `PatientCallExecuted` names the patient); inherents are not
		// indexed here.
		if !ext.is_signed() && ext.transaction_extensions().is_none() {
			continue;
		}
		let signer = ext.address_bytes().and_then(account_of_address);
		let (mut pallet, mut call, mut real) =
			(ext.pallet_name().to_string(), ext.call_name().to_string(), None);
		if pallet == "Proxy" && call == "proxy" {
			for f in ext.iter_call_data_fields() {
				match f.name() {
					"real" => real = account_of_address(f.bytes()),
					"call" => {
						let b = f.bytes();
						if b.len() >= 2 {
							if let Some(p) = metadata.pallet_by_call_index(b[0]) {
								if let Some(v) = p.call_variant_by_index(b[1]) {
									pallet = p.name().to_string();
									call = v.name.clone();
								}
							}
						}
					}
					_ => {}
				}
			}
		}
		block.extrinsics.push(ExtrinsicFact {
			index: ext.index() as u32,
			hash: ext.hash().0,
			signer,
			real,
			pallet,
			call,
			success: true,
			error: None,
		});
	}
	decode_events(chain, &events, &mut block)?;
	Ok(block)
}

/// A `MultiAddress::Id` (index 0 + 32 bytes) as an account.
fn account_of_address(bytes: &[u8]) -> Option<[u8; 32]> {
	match bytes {
		[0, rest @ ..] if rest.len() == 32 => <[u8; 32]>::try_from(rest).ok(),
		_ => None,
	}
}

fn decode_events(
	chain: &Chain,
	events: &Events,
	block: &mut BlockFacts,
) -> Result<(), IndexerError> {
	use healthchain::{
		claims::events as cl, consent::events as ce, providers::events as pe,
		records::events as re, validator_set::events as ve,
	};
	use healthchain_chain::{AccessBasis, Purpose, Scope};
	let n = block.number;
	let number = n as i64;
	let ts_ms = block.ts_ms;
	let signer_of = |block: &BlockFacts, i: Option<i64>| {
		i.and_then(|i| block.extrinsics.iter().find(|x| i64::from(x.index) == i))
			.and_then(|x| x.signer)
	};
	for (event_index, ev) in events.iter().enumerate() {
		let ev = ev.map_err(|e| IndexerError::Decode {
			block: n,
			what: format!("event {event_index}"),
			reason: e.to_string(),
		})?;
		let extrinsic_index = match ev.phase() {
			Phase::ApplyExtrinsic(i) => Some(i64::from(i)),
			_ => None,
		};
		let at = At { block: number, event_index: event_index as i64, extrinsic_index, ts_ms };
		let ext_mut = |block: &mut BlockFacts| -> Option<usize> {
			let i = extrinsic_index?;
			block.extrinsics.iter().position(|x| i64::from(x.index) == i)
		};
		let role_roles = |bits: u16| {
			let names: Vec<(u8, String)> = ROLES.iter().map(|(i, n)| (*i, n.to_string())).collect();
			set_names(u64::from(bits), &names)
		};
		let fact = match (ev.pallet_name(), ev.event_name()) {
			("System", "ExtrinsicFailed") => {
				let e: healthchain::system::events::ExtrinsicFailed = decode(&ev, n)?;
				if let Some(i) = ext_mut(block) {
					block.extrinsics[i].success = false;
					block.extrinsics[i].error =
						Some(chain.describe_dispatch_error(&e.dispatch_error));
				}
				None
			}
			("Proxy", "ProxyExecuted") => {
				let e: healthchain::proxy::events::ProxyExecuted = decode(&ev, n)?;
				if let (Err(err), Some(i)) = (e.result, ext_mut(block)) {
					block.extrinsics[i].success = false;
					block.extrinsics[i].error = Some(chain.describe_dispatch_error(&err));
				}
				None
			}
			("Consent", "PatientCallExecuted") => {
				let e: ce::PatientCallExecuted = decode(&ev, n)?;
				if let Some(i) = ext_mut(block) {
					block.extrinsics[i].real = Some(e.signer.0);
					if let Err(err) = e.result {
						block.extrinsics[i].success = false;
						block.extrinsics[i].error = Some(chain.describe_dispatch_error(&err));
					}
				}
				None
			}
			("Consent", "AccessLogged") => {
				let e: ce::AccessLogged = decode(&ev, n)?;
				let (basis, bg) = match e.basis {
					AccessBasis::Consent => ("consent", None),
					AccessBasis::BreakGlass(id) => ("break_glass", Some(id as i64)),
				};
				Some(Fact::Access(Access {
					at,
					kind: "logged",
					patient: e.patient.0,
					accessor: e.accessor.0,
					custodian: None,
					signer: signer_of(block, extrinsic_index),
					record_id: e.record_id.0,
					scope: name::<Scope>(&e.scope),
					purpose: name::<Purpose>(&e.purpose),
					basis,
					break_glass_id: bg,
					denial: None,
					checked_at: None,
				}))
			}
			("Consent", "RecordDisclosed") => {
				let e: ce::RecordDisclosed = decode(&ev, n)?;
				let (basis, bg, denial) = match e.verdict {
					Ok(AccessBasis::Consent) => ("consent", None, None),
					Ok(AccessBasis::BreakGlass(id)) => ("break_glass", Some(id as i64), None),
					Err(d) => ("none", None, Some(format!("{d:?}"))),
				};
				Some(Fact::Access(Access {
					at,
					kind: "disclosed",
					patient: e.patient.0,
					accessor: e.recipient.0,
					custodian: Some(e.discloser.0),
					signer: signer_of(block, extrinsic_index),
					record_id: e.record_id.0,
					scope: name::<Scope>(&e.scope),
					purpose: name::<Purpose>(&e.purpose),
					basis,
					break_glass_id: bg,
					denial,
					checked_at: Some(i64::from(e.checked_at)),
				}))
			}
			("Consent", "ConsentGranted") | ("Consent", "ConsentUpdated") => {
				let (action, e) = if ev.event_name() == "ConsentGranted" {
					let e: ce::ConsentGranted = decode(&ev, n)?;
					(
						"granted",
						(
							e.patient,
							e.grantee,
							e.scopes.0,
							e.purposes.0,
							e.expires_at,
							e.consent_digest,
							e.by,
						),
					)
				} else {
					let e: ce::ConsentUpdated = decode(&ev, n)?;
					(
						"updated",
						(
							e.patient,
							e.grantee,
							e.scopes.0,
							e.purposes.0,
							e.expires_at,
							e.consent_digest,
							e.by,
						),
					)
				};
				let (patient, grantee, scopes, purposes, expires_at, digest, by) = e;
				let by_role = if by == patient { "patient" } else { "guardian" };
				Some(Fact::Consent {
					at,
					patient: patient.0,
					party: grantee.0,
					action,
					scopes: Some(set_names(u64::from(scopes), self::scopes())),
					purposes: Some(set_names(u64::from(purposes), self::purposes())),
					expires_at: Some(i64::from(expires_at)),
					consent_digest: digest.map(|d| d.0),
					by: Some(by.0),
					by_role,
				})
			}
			("Consent", "ConsentRevoked") => {
				let e: ce::ConsentRevoked = decode(&ev, n)?;
				let by_role = if e.by == e.patient { "patient" } else { "guardian" };
				Some(Fact::Consent {
					at,
					patient: e.patient.0,
					party: e.grantee.0,
					action: "revoked",
					scopes: None,
					purposes: None,
					expires_at: None,
					consent_digest: None,
					by: Some(e.by.0),
					by_role,
				})
			}
			("Consent", "ConsentExpired") => {
				let e: ce::ConsentExpired = decode(&ev, n)?;
				Some(Fact::Consent {
					at,
					patient: e.patient.0,
					party: e.grantee.0,
					action: "expired",
					scopes: None,
					purposes: None,
					expires_at: None,
					consent_digest: None,
					by: None,
					by_role: "chain",
				})
			}
			("Consent", "GuardianAdded") | ("Consent", "GuardianRemoved") => {
				let (action, patient, guardian) = if ev.event_name() == "GuardianAdded" {
					let e: ce::GuardianAdded = decode(&ev, n)?;
					("guardian_added", e.patient, e.guardian)
				} else {
					let e: ce::GuardianRemoved = decode(&ev, n)?;
					("guardian_removed", e.patient, e.guardian)
				};
				Some(Fact::Consent {
					at,
					patient: patient.0,
					party: guardian.0,
					action,
					scopes: None,
					purposes: None,
					expires_at: None,
					consent_digest: None,
					by: Some(patient.0),
					by_role: "patient",
				})
			}
			("Consent", "BreakGlassOpened") => {
				let e: ce::BreakGlassOpened = decode(&ev, n)?;
				Some(Fact::BreakGlassOpened {
					at,
					id: e.id as i64,
					patient: e.patient.0,
					provider: e.provider.0,
					reason: name(&e.reason),
					expires_at: i64::from(e.expires_at),
				})
			}
			("Consent", "BreakGlassClosed") => {
				let e: ce::BreakGlassClosed = decode(&ev, n)?;
				Some(Fact::BreakGlassClosed { at, id: e.id as i64, cause: name(&e.cause) })
			}
			("Consent", "BreakGlassReviewed") => {
				let e: ce::BreakGlassReviewed = decode(&ev, n)?;
				Some(Fact::BreakGlassReviewed {
					at,
					id: e.id as i64,
					verdict: name(&e.verdict),
					unjustified_total: i64::from(e.unjustified_total),
					suspended: e.suspended,
				})
			}
			("Records", "RecordAnchored") => {
				let e: re::RecordAnchored = decode(&ev, n)?;
				Some(Fact::RecordAnchored {
					at,
					record_id: e.record_id.0,
					subject: e.subject.0,
					author: e.author.0,
					kind: i64::from(e.kind.0),
					scope: name::<Scope>(&e.scope),
					digest: e.digest.0,
				})
			}
			("Records", "RecordAmended") => {
				let e: re::RecordAmended = decode(&ev, n)?;
				Some(Fact::RecordAmended {
					at,
					record_id: e.record_id.0,
					version: i64::from(e.version),
					digest: e.digest.0,
					author: e.author.0,
				})
			}
			("Records", "RecordRetracted") => {
				let e: re::RecordRetracted = decode(&ev, n)?;
				Some(Fact::RecordRetracted {
					at,
					record_id: e.record_id.0,
					reason: name(&e.reason),
					author: Some(e.author.0),
				})
			}
			("Records", "RecordForceRetracted") => {
				let e: re::RecordForceRetracted = decode(&ev, n)?;
				Some(Fact::RecordRetracted {
					at,
					record_id: e.record_id.0,
					reason: name(&e.reason),
					author: None,
				})
			}
			("Records", "BatchAnchored") => {
				let e: re::BatchAnchored = decode(&ev, n)?;
				Some(Fact::BatchAnchored {
					at,
					batch_id: e.batch_id as i64,
					root: e.root.0,
					leaf_count: i64::from(e.leaf_count),
					author: e.author.0,
				})
			}
			("Claims", "ClaimSubmitted") => {
				let e: cl::ClaimSubmitted = decode(&ev, n)?;
				Some(Fact::ClaimSubmitted {
					at,
					claim_id: e.claim_id as i64,
					provider: e.provider.0,
					insurer: e.insurer.0,
					patient: e.patient.0,
					amount: e.amount.to_string(),
					digest: e.digest.0,
				})
			}
			("Claims", event) => {
				let step = |action, by: Option<[u8; 32]>, claim_id: u64| Fact::ClaimStep {
					at,
					claim_id: claim_id as i64,
					action,
					by,
					amount: None,
					partial: None,
					denial_reason: None,
					escalated: None,
					award: None,
				};
				Some(match event {
					"ClaimApproved" => {
						let e: cl::ClaimApproved = decode(&ev, n)?;
						let mut f = step("approved", Some(e.insurer.0), e.claim_id);
						if let Fact::ClaimStep { amount, partial, .. } = &mut f {
							*amount = Some(e.approved.to_string());
							*partial = Some(e.partial);
						}
						f
					}
					"ClaimDenied" => {
						let e: cl::ClaimDenied = decode(&ev, n)?;
						let mut f = step("denied", Some(e.insurer.0), e.claim_id);
						if let Fact::ClaimStep { denial_reason, .. } = &mut f {
							*denial_reason = Some(i64::from(e.reason.0));
						}
						f
					}
					"ClaimSettled" => {
						let e: cl::ClaimSettled = decode(&ev, n)?;
						let mut f = step("settled", Some(e.provider.0), e.claim_id);
						if let Fact::ClaimStep { amount, .. } = &mut f {
							*amount = Some(e.paid.to_string());
						}
						f
					}
					"ClaimDisputed" => {
						let e: cl::ClaimDisputed = decode(&ev, n)?;
						let mut f = step("disputed", Some(e.provider.0), e.claim_id);
						if let Fact::ClaimStep { escalated, .. } = &mut f {
							*escalated = Some(e.escalated);
						}
						f
					}
					"DisputeResolved" => {
						let e: cl::DisputeResolved = decode(&ev, n)?;
						let mut f = step("resolved", None, e.claim_id);
						if let Fact::ClaimStep { amount, award, .. } = &mut f {
							*amount = Some(e.paid_total.to_string());
							*award = Some(e.award.to_string());
						}
						f
					}
					"ClaimWithdrawn" => {
						let e: cl::ClaimWithdrawn = decode(&ev, n)?;
						step("withdrawn", Some(e.provider.0), e.claim_id)
					}
					_ => continue,
				})
			}
			("Providers", event) => {
				let p = |action, who: Option<[u8; 32]>| Fact::Provider {
					at,
					who,
					action,
					roles: None,
					credential_expires_at: None,
					count: None,
				};
				Some(match event {
					"Registered" => {
						let e: pe::Registered = decode(&ev, n)?;
						Fact::Provider {
							at,
							who: Some(e.who.0),
							action: "registered",
							roles: Some(role_roles(e.roles.0)),
							credential_expires_at: Some(i64::from(e.credential_expires_at)),
							count: None,
						}
					}
					"CredentialRenewed" => {
						let e: pe::CredentialRenewed = decode(&ev, n)?;
						Fact::Provider {
							at,
							who: Some(e.who.0),
							action: "credential_renewed",
							roles: None,
							credential_expires_at: Some(i64::from(e.credential_expires_at)),
							count: None,
						}
					}
					"NodesSet" => {
						let e: pe::NodesSet = decode(&ev, n)?;
						Fact::Provider {
							at,
							who: Some(e.who.0),
							action: "nodes_set",
							roles: None,
							credential_expires_at: None,
							count: Some(i64::from(e.count)),
						}
					}
					"NetworkPermissionSet" => {
						let e: pe::NetworkPermissionSet = decode(&ev, n)?;
						p(
							if e.enabled {
								"network_permission_on"
							} else {
								"network_permission_off"
							},
							None,
						)
					}
					"Approved" => p("approved", Some(decode::<pe::Approved>(&ev, n)?.who.0)),
					"Rejected" => p("rejected", Some(decode::<pe::Rejected>(&ev, n)?.who.0)),
					"Suspended" => p("suspended", Some(decode::<pe::Suspended>(&ev, n)?.who.0)),
					"Reinstated" => p("reinstated", Some(decode::<pe::Reinstated>(&ev, n)?.who.0)),
					"Revoked" => p("revoked", Some(decode::<pe::Revoked>(&ev, n)?.who.0)),
					"Deregistered" => {
						p("deregistered", Some(decode::<pe::Deregistered>(&ev, n)?.who.0))
					}
					"CredentialExpired" => p(
						"credential_expired",
						Some(decode::<pe::CredentialExpired>(&ev, n)?.who.0),
					),
					"NodesCleared" => {
						p("nodes_cleared", Some(decode::<pe::NodesCleared>(&ev, n)?.who.0))
					}
					"SuspendedForCause" => p(
						"suspended_for_cause",
						Some(decode::<pe::SuspendedForCause>(&ev, n)?.who.0),
					),
					_ => continue,
				})
			}
			("ValidatorSet", event) => {
				let v =
					|action, who: Option<[u8; 32]>, session: Option<u32>, count: Option<i64>| {
						Fact::Validator { at, action, who, session: session.map(i64::from), count }
					};
				Some(match event {
					"ValidatorAdded" => {
						v("added", Some(decode::<ve::ValidatorAdded>(&ev, n)?.who.0), None, None)
					}
					"ValidatorRemoved" => v(
						"removed",
						Some(decode::<ve::ValidatorRemoved>(&ev, n)?.who.0),
						None,
						None,
					),
					"ValidatorDropped" => v(
						"dropped",
						Some(decode::<ve::ValidatorDropped>(&ev, n)?.who.0),
						None,
						None,
					),
					"DropDeferred" => {
						let e: ve::DropDeferred = decode(&ev, n)?;
						v("drop_deferred", None, Some(e.session), Some(i64::from(e.inactive)))
					}
					"SessionPlanned" => {
						let e: ve::SessionPlanned = decode(&ev, n)?;
						v("session_planned", None, Some(e.session), Some(i64::from(e.validators)))
					}
					"SessionLengthSet" => {
						let e: ve::SessionLengthSet = decode(&ev, n)?;
						v("session_length_set", None, None, Some(i64::from(e.blocks)))
					}
					"OffenceReported" => {
						let e: ve::OffenceReported = decode(&ev, n)?;
						v(
							if e.removed { "offence_removed" } else { "offence_reported" },
							Some(e.who.0),
							Some(e.session),
							None,
						)
					}
					_ => continue,
				})
			}
			("Session", "NewSession") => {
				let e: healthchain::session::events::NewSession = decode(&ev, n)?;
				Some(Fact::Validator {
					at,
					action: "session_started",
					who: None,
					session: Some(i64::from(e.session_index)),
					count: None,
				})
			}
			_ => None,
		};
		if let Some(f) = fact {
			block.facts.push(f);
		}
	}
	Ok(())
}

/// What the follower works with and reports to.
pub struct Follower {
	/// The node's WebSocket URL.
	pub url: String,
	pub store: Arc<Store>,
	/// Blocks fetched ahead of the one being written while catching up.
	pub fetch_ahead: usize,
	/// How often to look for a new finalized block when caught up.
	pub poll: Duration,
	pub progress: Arc<std::sync::RwLock<Progress>>,
	pub metrics: Arc<Metrics>,
	/// The chain's genesis hash, set once the node is reached (signed queries need it).
	pub genesis: Arc<std::sync::RwLock<Option<[u8; 32]>>>,
}

/// Follow the node's finalized blocks into the store until `shutdown` resolves.
pub async fn follow(f: Follower, mut shutdown: tokio::sync::watch::Receiver<bool>) {
	let (url, progress, metrics) = (f.url.clone(), f.progress.clone(), f.metrics.clone());
	let mut backoff = Duration::from_millis(250);
	let set = |f: &dyn Fn(&mut Progress)| {
		if let Ok(mut p) = progress.write() {
			f(&mut p)
		}
	};
	loop {
		if *shutdown.borrow() {
			return;
		}
		let chain = match Chain::connect(&url).await {
			Ok(c) => c,
			Err(e) => {
				set(&|p| {
					p.connected = false;
					p.last_error = Some(e.to_string());
				});
				tracing::warn!(error = %e, "node unreachable; retrying in {backoff:?}");
				tokio::select! {
					_ = tokio::time::sleep(backoff) => {}
					_ = shutdown.changed() => return,
				}
				backoff = (backoff * 2).min(Duration::from_secs(10));
				continue;
			}
		};
		set(&|p| p.connected = true);
		let before = progress.read().ok().and_then(|p| p.last_indexed);
		match run_connected(&chain, &f, &mut shutdown).await {
			Ok(()) => return,
			Err(e) => {
				// A chain error means the connection is gone (or the node misbehaves): reconnect.
				let lost = matches!(&e, IndexerError::Chain(_));
				metrics.errors.inc();
				set(&|p| {
					p.connected = !lost;
					p.last_error = Some(e.to_string());
				});
				// Blocks were indexed since the last failure: start the backoff again.
				if progress.read().ok().and_then(|p| p.last_indexed) != before {
					backoff = Duration::from_millis(250);
				}
				tracing::error!(error = %e, "indexing stopped; retrying in {backoff:?}");
				tokio::select! {
					_ = tokio::time::sleep(backoff) => {}
					_ = shutdown.changed() => return,
				}
				backoff = (backoff * 2).min(Duration::from_secs(10));
			}
		}
	}
}

async fn run_connected(
	chain: &Chain,
	f: &Follower,
	shutdown: &mut tokio::sync::watch::Receiver<bool>,
) -> Result<(), IndexerError> {
	let (store, fetch_ahead, poll) = (&f.store, f.fetch_ahead, f.poll);
	let (progress, metrics, genesis) = (&f.progress, &f.metrics, &f.genesis);
	store.check_chain(&chain.genesis_hash().0).await?;
	// Only now is the node known to be on this database's chain: signed queries are checked
	// against its genesis.
	if let Ok(mut g) = genesis.write() {
		*g = Some(chain.genesis_hash().0);
	}
	// The last indexed block must still be the node's block at that height (a database of
	// another chain, or restored from a fork, is refused rather than extended).
	let mut next = match store.last_block().await? {
		Some((n, hash)) => {
			let node = chain.block_hash(n).await?;
			if node.is_none() {
				// The node has not reached this block (still syncing, or restored from an
				// older backup): wait for it rather than call it another chain.
				return Err(IndexerError::Chain(healthchain_chain::ChainError::State(format!(
					"the node has no block {n} yet (the index is ahead of it): waiting for it to sync"
				))));
			}
			if node.map(|h| h.0.to_vec()) != Some(hash.clone()) {
				return Err(IndexerError::Diverged {
					number: n,
					stored: format!("0x{}", hex::encode(&hash)),
					node: node.map(|h| format!("{h:?}")).unwrap_or_else(|| "unknown".into()),
				});
			}
			n + 1
		}
		None => 0,
	};
	loop {
		if *shutdown.borrow() {
			return Ok(());
		}
		let (finalized, _) = chain.finalized_head().await?;
		metrics.finalized.set(finalized as i64);
		if let Ok(mut p) = progress.write() {
			p.finalized = Some(finalized);
			p.connected = true;
		}
		if next > finalized {
			tokio::select! {
				_ = tokio::time::sleep(poll) => {}
				_ = shutdown.changed() => return Ok(()),
			}
			continue;
		}
		let mut blocks = futures::stream::iter(next..=finalized)
			.map(|n| async move { fetch_block(chain, n).await })
			.buffered(fetch_ahead);
		loop {
			let item = tokio::select! {
				b = blocks.next() => b,
				_ = shutdown.changed() => return Ok(()),
			};
			let Some(block) = item else { break };
			let block = block?;
			let started = std::time::Instant::now();
			let written = store.write_block(&block).await?;
			metrics.write_seconds.observe(started.elapsed().as_secs_f64());
			metrics.blocks.inc();
			metrics.facts.inc_by(written);
			metrics.indexed.set(block.number as i64);
			if let Ok(mut p) = progress.write() {
				p.last_indexed = Some(block.number);
				p.spec_version = Some(block.spec_version);
				p.last_error = None;
			}
			next = block.number + 1;
		}
	}
}
