//! Configuration: defaults, then a TOML file (`--config`), then environment variables
//! (`HC_GATEWAY_*`), then command-line flags. Every key is documented in docs/gateway.md.

use serde::Deserialize;
use std::{collections::BTreeMap, net::SocketAddr, path::Path, time::Duration};

/// The gateway's configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
	/// Address the HTTP server listens on.
	pub listen: SocketAddr,
	/// The base URL clients reach the gateway at (used in `Location`, `fullUrl`, links).
	pub base_url: Option<String>,
	/// `sqlite://path?mode=rwc` (embedded, the default) or `postgres://user@host:port/db`.
	pub database_url: String,
	/// The organisation's Healthchain node (WebSocket RPC).
	pub chain_url: String,
	/// The secret URI of the key that signs anchors: the organisation's own key, or a proxy
	/// key with `proxy_for` set. Required outside `--dev`.
	pub signer: Option<String>,
	/// The organisation's account when `signer` is a proxy key (`Records` proxy type).
	pub proxy_for: Option<String>,
	/// Largest request body accepted, in bytes.
	pub max_body_bytes: usize,
	/// Most operations per `records.anchorMany` extrinsic (the runtime allows 200).
	pub anchor_batch: usize,
	/// How many anchorMany extrinsics may wait for a block at once (consecutive nonces).
	pub anchor_in_flight: usize,
	/// `many` (default): one `records.anchorMany` per round. `single`: one `anchor` / `amend`
	/// / `retract` extrinsic per version (for comparison benchmarks only: a plain `amend`
	/// does not name its version, so only the reconciliation guards against duplicates).
	pub anchor_mode: String,
	/// How often the anchorer looks for work when idle, in milliseconds.
	pub anchor_poll_ms: u64,
	/// How long to wait for an anchoring transaction to reach a block, in seconds.
	pub anchor_timeout_secs: u64,
	/// Default page size of search results.
	pub page_size: usize,
	/// Largest page size a client may ask for (`_count`).
	pub max_page_size: usize,
	/// Serve the organisation-to-organisation API (`/exchange/...`) on this address only;
	/// unset: on `listen`, next to the internal API (then expose only `/exchange/` outside).
	pub exchange_listen: Option<SocketAddr>,
	/// How far a signed request's `created` may be from this server's clock, in seconds.
	pub clock_skew_secs: i64,
	/// Other organisations' gateways: chain account -> base URL (for `$retrieve`).
	pub peers: BTreeMap<String, String>,
	/// Most disclosures per `consent.recordDisclosures` call (the runtime allows 512).
	pub disclosure_batch: usize,
	/// Web origins (`scheme://host[:port]`, or `*`) whose pages may call the internal API from
	/// a browser (the portal's provider view). Empty (the default): no cross-origin access.
	/// `--dev` allows the portal's development server (`http://127.0.0.1:5173`,
	/// `http://localhost:5173`). Never applied to the exchange API.
	pub cors_origins: Vec<String>,
}

impl Default for Config {
	fn default() -> Self {
		Self {
			listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
			base_url: None,
			database_url: "sqlite://healthchain-gateway.db?mode=rwc".into(),
			chain_url: "ws://127.0.0.1:9944".into(),
			signer: None,
			proxy_for: None,
			max_body_bytes: 1024 * 1024,
			anchor_batch: 200,
			anchor_in_flight: 4,
			anchor_mode: "many".into(),
			anchor_poll_ms: 500,
			anchor_timeout_secs: 60,
			page_size: 20,
			max_page_size: 100,
			exchange_listen: None,
			clock_skew_secs: 60,
			peers: BTreeMap::new(),
			disclosure_batch: 512,
			cors_origins: vec![],
		}
	}
}

/// A configuration problem, named so the operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
	#[error("cannot read the configuration file {path}: {reason}")]
	Read { path: String, reason: String },
	#[error("invalid configuration file {path}: {reason}")]
	Parse { path: String, reason: String },
	#[error("invalid value of environment variable {var}: {reason}")]
	Env { var: String, reason: String },
	#[error("no signer configured: set `signer` (or HC_GATEWAY_SIGNER) to the secret URI of the organisation's key or of its proxy key, or run with --dev")]
	NoSigner,
	#[error("anchor_batch must be between 1 and 200, not {0}")]
	Batch(usize),
	#[error("anchor_in_flight must be between 1 and 64, not {0}")]
	InFlight(usize),
	#[error("anchor_mode must be `many` or `single`, not {0:?}")]
	Mode(String),
	#[error("disclosure_batch must be between 1 and 512, not {0}")]
	DisclosureBatch(usize),
	#[error("clock_skew_secs must be between 1 and 3600, not {0}")]
	Skew(i64),
	#[error("cors_origins: {0}")]
	Cors(#[from] healthchain_httpsig::cors::BadOrigin),
	#[error("peer {account:?}: {reason}")]
	Peer { account: String, reason: String },
}

impl Config {
	/// Defaults, overlaid with the file at `path` (when given) and the environment.
	pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
		let mut config = match path {
			None => Config::default(),
			Some(p) => {
				let text = std::fs::read_to_string(p).map_err(|e| ConfigError::Read {
					path: p.display().to_string(),
					reason: e.to_string(),
				})?;
				toml::from_str(&text).map_err(|e| ConfigError::Parse {
					path: p.display().to_string(),
					reason: e.to_string(),
				})?
			}
		};
		config.apply_env(|k| std::env::var(k).ok())?;
		Ok(config)
	}

	/// Overlay `HC_GATEWAY_<KEY>` variables (upper-case key names).
	pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
		fn parse<T: std::str::FromStr>(var: &str, v: String) -> Result<T, ConfigError>
		where
			T::Err: std::fmt::Display,
		{
			v.parse()
				.map_err(|e: T::Err| ConfigError::Env { var: var.into(), reason: e.to_string() })
		}
		macro_rules! env {
			($key:literal, $field:expr, parse) => {
				if let Some(v) = get(concat!("HC_GATEWAY_", $key)) {
					$field = parse(concat!("HC_GATEWAY_", $key), v)?;
				}
			};
			($key:literal, $field:expr, string) => {
				if let Some(v) = get(concat!("HC_GATEWAY_", $key)) {
					$field = v;
				}
			};
			($key:literal, $field:expr, option) => {
				if let Some(v) = get(concat!("HC_GATEWAY_", $key)) {
					$field = if v.is_empty() { None } else { Some(v) };
				}
			};
		}
		env!("LISTEN", self.listen, parse);
		env!("BASE_URL", self.base_url, option);
		env!("DATABASE_URL", self.database_url, string);
		env!("CHAIN_URL", self.chain_url, string);
		env!("SIGNER", self.signer, option);
		env!("PROXY_FOR", self.proxy_for, option);
		env!("MAX_BODY_BYTES", self.max_body_bytes, parse);
		env!("ANCHOR_BATCH", self.anchor_batch, parse);
		env!("ANCHOR_MODE", self.anchor_mode, string);
		env!("ANCHOR_IN_FLIGHT", self.anchor_in_flight, parse);
		env!("ANCHOR_POLL_MS", self.anchor_poll_ms, parse);
		env!("ANCHOR_TIMEOUT_SECS", self.anchor_timeout_secs, parse);
		env!("PAGE_SIZE", self.page_size, parse);
		env!("MAX_PAGE_SIZE", self.max_page_size, parse);
		if let Some(v) = get("HC_GATEWAY_EXCHANGE_LISTEN") {
			self.exchange_listen =
				if v.is_empty() { None } else { Some(parse("HC_GATEWAY_EXCHANGE_LISTEN", v)?) };
		}
		env!("CLOCK_SKEW_SECS", self.clock_skew_secs, parse);
		env!("DISCLOSURE_BATCH", self.disclosure_batch, parse);
		if let Some(v) = get("HC_GATEWAY_CORS_ORIGINS") {
			self.cors_origins = healthchain_httpsig::cors::parse_list(&v);
		}
		if let Some(v) = get("HC_GATEWAY_PEERS") {
			// `account=url,account=url`
			for pair in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
				let (account, url) = pair.split_once('=').ok_or_else(|| ConfigError::Env {
					var: "HC_GATEWAY_PEERS".into(),
					reason: format!("{pair:?} is not account=url"),
				})?;
				self.peers.insert(account.trim().into(), url.trim().into());
			}
		}
		Ok(())
	}

	/// Checks that need the whole configuration.
	pub fn validate(&self) -> Result<(), ConfigError> {
		if self.signer.is_none() {
			return Err(ConfigError::NoSigner);
		}
		if self.anchor_batch == 0 || self.anchor_batch > 200 {
			return Err(ConfigError::Batch(self.anchor_batch));
		}
		if self.anchor_in_flight == 0 || self.anchor_in_flight > 64 {
			return Err(ConfigError::InFlight(self.anchor_in_flight));
		}
		if !matches!(self.anchor_mode.as_str(), "many" | "single") {
			return Err(ConfigError::Mode(self.anchor_mode.clone()));
		}
		if self.disclosure_batch == 0 || self.disclosure_batch > 512 {
			return Err(ConfigError::DisclosureBatch(self.disclosure_batch));
		}
		if !(1..=3600).contains(&self.clock_skew_secs) {
			return Err(ConfigError::Skew(self.clock_skew_secs));
		}
		for o in &self.cors_origins {
			healthchain_httpsig::cors::check_origin(o)?;
		}
		for (account, url) in &self.peers {
			healthchain_chain::parse_account(account).map_err(|e| ConfigError::Peer {
				account: account.clone(),
				reason: e.to_string(),
			})?;
			if !(url.starts_with("http://") || url.starts_with("https://")) {
				return Err(ConfigError::Peer {
					account: account.clone(),
					reason: format!("{url:?} is not an http:// or https:// URL"),
				});
			}
		}
		Ok(())
	}

	/// The base URL, defaulting to `http://<listen>`.
	pub fn base(&self) -> String {
		self.base_url.clone().unwrap_or_else(|| format!("http://{}", self.listen))
	}

	pub fn anchor_poll(&self) -> Duration {
		Duration::from_millis(self.anchor_poll_ms)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn environment_overrides_file_values_and_bad_values_are_named() {
		let mut c: Config =
			toml::from_str("chain_url = \"ws://node:9944\"\nanchor_batch = 50\n").expect("parses");
		assert_eq!(c.anchor_batch, 50);
		c.apply_env(|k| (k == "HC_GATEWAY_ANCHOR_BATCH").then(|| "7".to_string())).expect("env");
		assert_eq!(c.anchor_batch, 7);
		assert_eq!(c.chain_url, "ws://node:9944");
		let err = c
			.apply_env(|k| (k == "HC_GATEWAY_LISTEN").then(|| "not an address".to_string()))
			.expect_err("bad listen address");
		assert!(err.to_string().contains("HC_GATEWAY_LISTEN"), "{err}");
		assert!(matches!(c.validate(), Err(ConfigError::NoSigner)));
		assert!(toml::from_str::<Config>("unknown_key = 1").is_err());
		let mut p: Config = toml::from_str(
			"signer = \"//Bob\"\n[peers]\n\"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\" = \"http://a:8080\"\n",
		)
		.expect("peers parse");
		assert!(p.validate().is_ok());
		p.apply_env(|k| (k == "HC_GATEWAY_PEERS").then(|| "nonsense=ftp://x".to_string()))
			.expect("env");
		assert!(matches!(p.validate(), Err(ConfigError::Peer { .. })));
	}
}
