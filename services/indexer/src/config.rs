//! Configuration: defaults, then a TOML file (`--config`), then environment variables
//! (`HC_INDEXER_*`), then what `--dev` fills in when unset (audience and auditors). Every key
//! is documented in docs/indexer.md.

use serde::Deserialize;
use std::{net::SocketAddr, path::Path};

/// The indexer's configuration.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
	/// Address the HTTP query API listens on.
	pub listen: SocketAddr,
	/// `sqlite://path?mode=rwc` (embedded, the default) or `postgres://user@host:port/db`.
	pub database_url: String,
	/// The Healthchain node to follow (WebSocket RPC). For history older than the node's
	/// state pruning window, an archive node (docs/indexer.md).
	pub chain_url: String,
	/// The account this indexer answers as: signed queries must name it as their audience
	/// (`Healthchain-Audience`), so a request signed for another server is refused.
	pub audience: Option<String>,
	/// Accounts that may query every patient's trail (auditors, the council's secretariat).
	pub auditors: Vec<String>,
	/// How far a signed request's `created` may be from this server's clock, in seconds.
	pub clock_skew_secs: i64,
	/// Blocks fetched ahead of the one being written while catching up.
	pub fetch_ahead: usize,
	/// How often to look for a new finalized block when caught up, in milliseconds.
	pub poll_ms: u64,
	/// Default and largest page size of the query API.
	pub page_size: i64,
	pub max_page_size: i64,
	/// Web origins (`scheme://host[:port]`, or `*`) whose pages may query this API from a
	/// browser (the portal). Empty (the default): no cross-origin access. `--dev` allows the
	/// portal's development server (`http://127.0.0.1:5173`, `http://localhost:5173`).
	pub cors_origins: Vec<String>,
}

impl Default for Config {
	fn default() -> Self {
		Self {
			listen: SocketAddr::from(([127, 0, 0, 1], 8090)),
			database_url: "sqlite://healthchain-indexer.db?mode=rwc".into(),
			chain_url: "ws://127.0.0.1:9944".into(),
			audience: None,
			auditors: vec![],
			clock_skew_secs: 60,
			fetch_ahead: 16,
			poll_ms: 500,
			page_size: 100,
			max_page_size: 1000,
			cors_origins: vec![],
		}
	}
}

/// A configuration that cannot be used, as a sentence.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
	#[error("cannot read the configuration file {path}: {reason}")]
	Read { path: String, reason: String },
	#[error("the configuration file {path} is not valid: {reason}")]
	Parse { path: String, reason: String },
	#[error("environment variable {var} is not valid: {reason}")]
	Env { var: String, reason: String },
	#[error("{0}")]
	Invalid(String),
}

impl Config {
	/// Defaults, then the file at `path` (if any), then `HC_INDEXER_*` variables.
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

	/// Overlay `HC_INDEXER_<KEY>` variables (upper-case key names; `AUDITORS` is a
	/// comma-separated list).
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
				if let Some(v) = get(concat!("HC_INDEXER_", $key)) {
					$field = parse(concat!("HC_INDEXER_", $key), v)?;
				}
			};
			($key:literal, $field:expr, string) => {
				if let Some(v) = get(concat!("HC_INDEXER_", $key)) {
					$field = v;
				}
			};
		}
		env!("LISTEN", self.listen, parse);
		env!("DATABASE_URL", self.database_url, string);
		env!("CHAIN_URL", self.chain_url, string);
		if let Some(v) = get("HC_INDEXER_AUDIENCE") {
			self.audience = if v.is_empty() { None } else { Some(v) };
		}
		if let Some(v) = get("HC_INDEXER_AUDITORS") {
			self.auditors =
				v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
		}
		env!("CLOCK_SKEW_SECS", self.clock_skew_secs, parse);
		env!("FETCH_AHEAD", self.fetch_ahead, parse);
		env!("POLL_MS", self.poll_ms, parse);
		env!("PAGE_SIZE", self.page_size, parse);
		env!("MAX_PAGE_SIZE", self.max_page_size, parse);
		if let Some(v) = get("HC_INDEXER_CORS_ORIGINS") {
			self.cors_origins = healthchain_httpsig::cors::parse_list(&v);
		}
		Ok(())
	}

	/// Check what can be checked without the network.
	pub fn validate(&self) -> Result<(), ConfigError> {
		let bad = |s: String| Err(ConfigError::Invalid(s));
		if !(self.database_url.starts_with("sqlite:")
			|| self.database_url.starts_with("postgres:")
			|| self.database_url.starts_with("postgresql:"))
		{
			return bad(format!(
				"database_url must start with sqlite: or postgres:, not {:?}",
				self.database_url
			));
		}
		if self.audience.is_none() {
			return bad("audience (HC_INDEXER_AUDIENCE) is required: the account signed queries are addressed to (--dev uses //Alice's)".into());
		}
		for a in self.audience.iter().chain(self.auditors.iter()) {
			if let Err(e) = healthchain_chain::parse_account(a) {
				return bad(format!("{e} (in audience or auditors)"));
			}
		}
		if self.fetch_ahead == 0 || self.fetch_ahead > 256 {
			return bad("fetch_ahead must be between 1 and 256".into());
		}
		if self.page_size < 1 || self.max_page_size < self.page_size {
			return bad("page_size must be at least 1 and at most max_page_size".into());
		}
		if self.poll_ms < 10 {
			return bad("poll_ms must be at least 10 (milliseconds between looks for a new finalized block)".into());
		}
		for o in &self.cors_origins {
			healthchain_httpsig::cors::check_origin(o)
				.map_err(|e| ConfigError::Invalid(format!("cors_origins: {e}")))?;
		}
		if self.clock_skew_secs < 1 {
			return bad("clock_skew_secs must be at least 1".into());
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn env_overrides_defaults_and_bad_values_are_named() {
		let mut c = Config::default();
		c.apply_env(|k| match k {
			"HC_INDEXER_AUDITORS" => {
				Some(" 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY ,".into())
			}
			"HC_INDEXER_AUDIENCE" => {
				Some("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into())
			}
			"HC_INDEXER_PAGE_SIZE" => Some("50".into()),
			_ => None,
		})
		.expect("env");
		assert_eq!(c.auditors.len(), 1);
		assert_eq!(c.page_size, 50);
		c.validate().expect("valid");
		let e = c.apply_env(|k| (k == "HC_INDEXER_FETCH_AHEAD").then(|| "many".into()));
		assert!(e.expect_err("bad").to_string().contains("HC_INDEXER_FETCH_AHEAD"));
		let mut c = Config { audience: None, ..Config::default() };
		assert!(c.validate().expect_err("no audience").to_string().contains("audience"));
		c.audience = Some("nobody".into());
		assert!(c.validate().is_err());
		let toml_err = toml::from_str::<Config>("listen = 5").expect_err("bad type");
		assert!(toml_err.to_string().contains("listen"));
	}
}
