//! `healthchain-indexer`: see the library docs and docs/indexer.md.

use clap::Parser;
use std::path::PathBuf;

/// Follows a Healthchain node's finalized blocks into SQL and serves the audit trail.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
	/// A TOML configuration file (keys as in docs/indexer.md); HC_INDEXER_* variables override it.
	#[arg(long, short)]
	config: Option<PathBuf>,
	/// Development: signed queries addressed to //Alice's account, //Alice an auditor (each
	/// only when not configured). The defaults already are SQLite in ./healthchain-indexer.db,
	/// the node at ws://127.0.0.1:9944 and 127.0.0.1:8090.
	#[arg(long)]
	dev: bool,
	/// Log as JSON lines (for log shippers) instead of text.
	#[arg(long)]
	json_logs: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
	let cli = Cli::parse();
	let filter = tracing_subscriber::EnvFilter::try_from_default_env()
		.unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
	if cli.json_logs {
		tracing_subscriber::fmt()
			.json()
			.with_writer(std::io::stderr)
			.with_env_filter(filter)
			.init();
	} else {
		tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter).init();
	}
	let mut config = match healthchain_indexer::config::Config::load(cli.config.as_deref()) {
		Ok(c) => c,
		Err(e) => {
			tracing::error!("{e}");
			return std::process::ExitCode::from(2);
		}
	};
	if cli.dev {
		// //Alice: the dev chain's hospital and council member.
		const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
		if config.audience.is_none() {
			config.audience = Some(ALICE.into());
		}
		if config.auditors.is_empty() {
			config.auditors = vec![ALICE.into()];
		}
		if config.cors_origins.is_empty() {
			// The portal's development server (web/: `npm run dev`).
			config.cors_origins =
				vec!["http://127.0.0.1:5173".into(), "http://localhost:5173".into()];
		}
	}
	if let Err(e) = config.validate() {
		tracing::error!("{e}");
		return std::process::ExitCode::from(2);
	}
	let listener = match tokio::net::TcpListener::bind(config.listen).await {
		Ok(l) => l,
		Err(e) => {
			tracing::error!("cannot listen on {}: {e}", config.listen);
			return std::process::ExitCode::from(2);
		}
	};
	match healthchain_indexer::run(config, listener, shutdown_signal()).await {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(e) => {
			tracing::error!("{e}");
			std::process::ExitCode::FAILURE
		}
	}
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
	let ctrl_c = async {
		let _ = tokio::signal::ctrl_c().await;
	};
	#[cfg(unix)]
	let term = async {
		match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
			Ok(mut s) => {
				s.recv().await;
			}
			Err(_) => std::future::pending::<()>().await,
		}
	};
	#[cfg(not(unix))]
	let term = std::future::pending::<()>();
	tokio::select! {
		_ = ctrl_c => {},
		_ = term => {},
	}
}
