//! # healthchain-indexer
//!
//! The audit trail, queryable. Follows a Healthchain node's **finalized** blocks (through
//! the shared chain client, `healthchain-chain`), decodes every Healthchain pallet event and
//! the facts of signed extrinsics (signer, proxy's real account or fee-less patient, the
//! effective call, success or the error's name) with the metadata of the runtime that
//! produced each block, and writes them into SQL: SQLite (embedded, the default) or
//! PostgreSQL. Each block is one transaction, so a restart resumes exactly after the last
//! committed block. A query API answers who accessed a patient's records, when and on what
//! basis (also as FHIR `AuditEvent`s), consent history, break-glass windows and their
//! review, records and versions, claims, providers and validators; exports stream as CSV or
//! NDJSON. See docs/indexer.md.

pub mod api;
pub mod audit;
pub mod config;
pub mod error;
pub mod facts;
pub mod ingest;
pub mod metrics;
pub mod store;

use std::{
	collections::HashMap,
	future::Future,
	sync::{Arc, Mutex, RwLock},
	time::{Duration, Instant},
};

use config::Config;
use error::IndexerError;

/// Run the indexer: follow the chain and serve the query API on `listener` until `shutdown`
/// resolves; then stop following (the block being written commits or rolls back whole) and
/// close the database.
pub async fn run(
	config: Config,
	listener: tokio::net::TcpListener,
	shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), IndexerError> {
	let audience = config
		.audience
		.as_deref()
		.ok_or_else(|| IndexerError::Config("audience is required".into()))
		.and_then(|a| {
			healthchain_chain::parse_account(a).map_err(|e| IndexerError::Config(e.to_string()))
		})?;
	let auditors = config
		.auditors
		.iter()
		.map(|a| healthchain_chain::parse_account(a).map(|a| a.0))
		.collect::<Result<Vec<_>, _>>()
		.map_err(|e| IndexerError::Config(format!("auditors: {e}")))?;
	let store = Arc::new(
		store::Store::open(&config.database_url, healthchain_chain::compiled_ss58_prefix()).await?,
	);
	let metrics = Arc::new(metrics::Metrics::default());
	let progress = Arc::new(RwLock::new(ingest::Progress::default()));
	// What is already indexed shows in /health and the metrics before the first new block.
	if let Some((n, _)) = store.last_block().await? {
		metrics.indexed.set(n as i64);
		if let Ok(mut p) = progress.write() {
			p.last_indexed = Some(n);
		}
	}
	let genesis = Arc::new(RwLock::new(store.genesis().await?));
	let (stop, stopped) = tokio::sync::watch::channel(false);
	let follower = tokio::spawn(ingest::follow(
		ingest::Follower {
			url: config.chain_url.clone(),
			store: store.clone(),
			fetch_ahead: config.fetch_ahead,
			poll: Duration::from_millis(config.poll_ms),
			progress: progress.clone(),
			metrics: metrics.clone(),
			genesis: genesis.clone(),
		},
		stopped,
	));
	let state = Arc::new(api::AppState {
		store: store.clone(),
		config: config.clone(),
		audience,
		auditors,
		metrics,
		progress,
		genesis,
		nonces: Mutex::new(HashMap::new()),
		exports: Arc::new(tokio::sync::Semaphore::new(api::MAX_EXPORTS)),
		started: Instant::now(),
	});
	let mut app = api::router(state).layer(tower_http::trace::TraceLayer::new_for_http());
	match healthchain_httpsig::cors::layer(&config.cors_origins) {
		Ok(Some(cors)) => app = app.layer(cors),
		Ok(None) => {}
		Err(e) => return Err(IndexerError::Config(format!("cors_origins: {e}"))),
	}
	tracing::info!(
		chain = %config.chain_url,
		database = %redact(&config.database_url),
		"indexer listening on http://{}",
		listener.local_addr().map(|a| a.to_string()).unwrap_or_default()
	);
	let served = axum::serve(listener, app)
		.with_graceful_shutdown(async move {
			shutdown.await;
			tracing::info!("shutting down: finishing the block being written");
			let _ = stop.send(true);
		})
		.await;
	let _ = follower.await;
	store.close().await;
	served.map_err(|e| IndexerError::Config(format!("HTTP server: {e}")))
}

/// A database URL without its password (for logs).
fn redact(url: &str) -> String {
	match (url.find("://"), url.find('@')) {
		(Some(s), Some(at)) if at > s => {
			let creds = &url[s + 3..at];
			match creds.split_once(':') {
				Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
				None => url.to_string(),
			}
		}
		_ => url.to_string(),
	}
}

#[cfg(test)]
mod tests {
	#[test]
	fn passwords_are_not_logged() {
		assert_eq!(super::redact("postgres://hc:secret@db:5432/x"), "postgres://hc:***@db:5432/x");
		assert_eq!(super::redact("sqlite://x.db?mode=rwc"), "sqlite://x.db?mode=rwc");
	}
}
