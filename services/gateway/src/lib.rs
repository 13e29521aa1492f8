//! # healthchain-gateway
//!
//! An organisation's FHIR R4 store next to its Healthchain node. Every create, update and
//! delete commits (resource, salt, digest, outbox entry) in one database transaction before
//! the response; the [`anchorer`] anchors each version on chain with `records.anchorMany`
//! and follows it to finality. See docs/gateway.md.

pub mod access;
pub mod anchorer;
pub mod api;
pub mod audit;
pub mod config;
pub mod disclosure;
pub mod error;
pub mod exchange;
pub mod fhir;
pub mod metrics;
pub mod signature;
pub mod store;

use std::sync::Arc;

use tokio::sync::{watch, Notify};

/// Run the gateway until `shutdown` resolves: the HTTP server drains in-flight requests
/// (event streams end), then the anchorer and the disclosure recorder stop between rounds and
/// the database closes. `exchange_listener` serves the organisation-to-organisation API
/// when `exchange_listen` is configured.
pub async fn run(
	config: config::Config,
	listener: tokio::net::TcpListener,
	exchange_listener: Option<tokio::net::TcpListener>,
	shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), error::GatewayError> {
	let signer_suri = config
		.signer
		.clone()
		.ok_or_else(|| error::GatewayError::Config(config::ConfigError::NoSigner.to_string()))?;
	let signer = healthchain_chain::Signer::from_suri(&signer_suri, config.proxy_for.as_deref())
		.map_err(|e| error::GatewayError::Config(e.to_string()))?;
	let organisation = signer.organisation();
	let cors = healthchain_httpsig::cors::layer(&config.cors_origins)
		.map_err(|e| error::GatewayError::Config(format!("cors_origins: {e}")))?;
	let store = Arc::new(store::Store::open(&config.database_url).await?);
	// Record ids derive from the organisation's account: a store belongs to one organisation.
	if let Err(stored) = store.claim_identity("organisation", &organisation.0).await? {
		let stored = <[u8; 32]>::try_from(stored.as_slice())
			.map(|a| healthchain_chain::AccountId32(a).to_string())
			.unwrap_or_else(|_| hex::encode(&stored));
		return Err(error::GatewayError::Config(format!(
			"this database belongs to organisation {stored}, but the signer acts for {organisation}: \
			 use that organisation's key (or a proxy of it with proxy_for), or another database"
		)));
	}
	let metrics = Arc::new(metrics::Metrics::default());
	let status = Arc::new(anchorer::ChainStatus::default());
	let wake = Arc::new(Notify::new());
	let (stop_tx, stop_rx) = watch::channel(false);

	tracing::info!(
		organisation = %organisation,
		signer = %signer.signing_account(),
		proxy = signer.is_proxy(),
		database = ?store.backend(),
		chain = %config.chain_url,
		"healthchain-gateway starting"
	);

	let mut peers = std::collections::HashMap::new();
	for (account, url) in &config.peers {
		let a = healthchain_chain::parse_account(account)
			.map_err(|e| error::GatewayError::Config(format!("peer {account}: {e}")))?;
		peers.insert(a.0, url.clone());
	}
	let (finalized_tx, _) = tokio::sync::broadcast::channel(4096);
	let access = access::Access::new(config.chain_url.clone(), store.clone(), metrics.clone());
	let follow_task = tokio::spawn(access.clone().follow(stop_rx.clone()));
	let disclosure_wake = Arc::new(Notify::new());
	// One submitter for the anchorer and the recorder: their transactions share the
	// account's nonce sequence.
	let submitter = healthchain_chain::Submitter::new(signer.clone());
	let recorder = disclosure::Recorder {
		store: store.clone(),
		submitter: submitter.clone(),
		chain_url: config.chain_url.clone(),
		batch: config.disclosure_batch,
		poll: config.anchor_poll(),
		timeout: std::time::Duration::from_secs(config.anchor_timeout_secs),
		metrics: metrics.clone(),
		wake: disclosure_wake.clone(),
		nonce_horizon_secs: 2 * config.clock_skew_secs,
		scanned: std::sync::Mutex::new(std::collections::HashMap::new()),
	};
	let recorder_task = tokio::spawn(recorder.run(stop_rx.clone()));
	let anchorer = anchorer::Anchorer {
		store: store.clone(),
		submitter,
		chain_url: config.chain_url.clone(),
		batch: config.anchor_batch,
		in_flight: config.anchor_in_flight,
		many: config.anchor_mode != "single",
		poll: config.anchor_poll(),
		timeout: std::time::Duration::from_secs(config.anchor_timeout_secs),
		metrics: metrics.clone(),
		status: status.clone(),
		wake: wake.clone(),
		finalized_tx: finalized_tx.clone(),
	};
	let anchor_task = tokio::spawn(anchorer.run(stop_rx));
	let (closing_tx, closing_rx) = watch::channel(false);
	let http = reqwest::Client::builder()
		.timeout(std::time::Duration::from_secs(30))
		.build()
		.map_err(|e| error::GatewayError::Internal(format!("HTTP client: {e}")))?;

	let state = Arc::new(api::AppState {
		store: store.clone(),
		config,
		metrics,
		status,
		wake,
		organisation,
		reader: tokio::sync::Mutex::new(None),
		access,
		disclosure_wake,
		finalized_tx,
		signer,
		peers,
		http,
		closing: closing_rx.clone(),
	});
	let mut app = api::router(state.clone());
	// The portal (a browser page on another origin) may call the internal API when configured;
	// the exchange API on its own listener never answers browsers.
	if let Some(cors) = cors {
		app = app.layer(cors);
	}
	// Both listeners stop on the signal; event streams end so that the drain can finish.
	let shutdown = {
		let closing_tx = closing_tx.clone();
		async move {
			shutdown.await;
			let _ = closing_tx.send(true);
		}
	};
	let exchange_server = exchange_listener.map(|l| {
		let mut closing = closing_rx.clone();
		let app = api::exchange_router(state.clone());
		tokio::spawn(async move {
			axum::serve(l, app)
				.with_graceful_shutdown(async move {
					let _ = closing.wait_for(|c| *c).await;
				})
				.await
		})
	});
	let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
	if let Some(t) = exchange_server {
		let _ = t.await;
	}
	drop(state);
	tracing::info!("HTTP server drained; stopping the anchorer and the disclosure recorder");
	let _ = stop_tx.send(true);
	let _ = anchor_task.await;
	let _ = recorder_task.await;
	let _ = follow_task.await;
	store.close().await;
	served.map_err(|e| error::GatewayError::Internal(format!("HTTP server: {e}")))
}
