//! # healthchain-gateway
//!
//! An organisation's FHIR R4 store next to its Healthchain node. Every create, update and
//! delete commits (resource, salt, digest, outbox entry) in one database transaction before
//! the response; the [`anchorer`] anchors each version on chain with `records.anchorMany`
//! and follows it to finality. See docs/gateway.md.

pub mod anchorer;
pub mod api;
pub mod config;
pub mod error;
pub mod fhir;
pub mod metrics;
pub mod store;

use std::sync::Arc;

use tokio::sync::{watch, Notify};

/// Run the gateway until `shutdown` resolves: the HTTP server drains in-flight requests, then
/// the anchorer stops between rounds and the database closes.
pub async fn run(
	config: config::Config,
	listener: tokio::net::TcpListener,
	shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), error::GatewayError> {
	let signer_suri = config
		.signer
		.clone()
		.ok_or_else(|| error::GatewayError::Config(config::ConfigError::NoSigner.to_string()))?;
	let signer = healthchain_chain::Signer::from_suri(&signer_suri, config.proxy_for.as_deref())
		.map_err(|e| error::GatewayError::Config(e.to_string()))?;
	let organisation = signer.organisation();
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

	let anchorer = anchorer::Anchorer {
		store: store.clone(),
		submitter: healthchain_chain::Submitter::new(signer),
		chain_url: config.chain_url.clone(),
		batch: config.anchor_batch,
		in_flight: config.anchor_in_flight,
		many: config.anchor_mode != "single",
		poll: config.anchor_poll(),
		timeout: std::time::Duration::from_secs(config.anchor_timeout_secs),
		metrics: metrics.clone(),
		status: status.clone(),
		wake: wake.clone(),
	};
	let anchor_task = tokio::spawn(anchorer.run(stop_rx));

	let state = Arc::new(api::AppState {
		store: store.clone(),
		config,
		metrics,
		status,
		wake,
		organisation,
		reader: tokio::sync::Mutex::new(None),
	});
	let app = api::router(state);
	let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
	tracing::info!("HTTP server drained; stopping the anchorer");
	let _ = stop_tx.send(true);
	let _ = anchor_task.await;
	store.close().await;
	served.map_err(|e| error::GatewayError::Internal(format!("HTTP server: {e}")))
}
