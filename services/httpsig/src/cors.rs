//! Cross-origin access for browser clients (the portal): which web origins may call a
//! service, as a `tower-http` CORS layer.
//!
//! Origins are listed exactly (`https://portal.example.org`, scheme + host + port, no path);
//! `*` allows every origin (reasonable for a local development chain only). No credentials
//! (cookies) are ever allowed: requests are authenticated by their RFC 9421 signature, which
//! a browser cannot attach to another site's request by itself. The profile's request headers
//! may be sent; response headers (`ETag`, `Location`, the gateway's `Healthchain-*` headers)
//! are exposed to the page.

use http::{HeaderValue, Method};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

/// A configured origin that is not an origin.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{origin:?} is not a web origin: write scheme://host[:port] (http or https, no path), or * for any origin")]
pub struct BadOrigin {
	/// The value as configured.
	pub origin: String,
}

/// Check one configured origin: `*`, or `http(s)://host[:port]` without a path or a trailing
/// slash.
pub fn check_origin(origin: &str) -> Result<(), BadOrigin> {
	if origin == "*" {
		return Ok(());
	}
	let bad = || BadOrigin { origin: origin.to_string() };
	let rest = origin
		.strip_prefix("https://")
		.or_else(|| origin.strip_prefix("http://"))
		.ok_or_else(bad)?;
	if rest.is_empty() || rest.contains(['/', '?', '#', ' ', '@']) {
		return Err(bad());
	}
	HeaderValue::from_str(origin).map_err(|_| bad())?;
	Ok(())
}

/// The CORS layer for `origins` (already checked with [`check_origin`]); `None` when the
/// list is empty (no cross-origin access: the default).
pub fn layer(origins: &[String]) -> Result<Option<CorsLayer>, BadOrigin> {
	if origins.is_empty() {
		return Ok(None);
	}
	for o in origins {
		check_origin(o)?;
	}
	let allow = if origins.iter().any(|o| o == "*") {
		AllowOrigin::any()
	} else {
		let values: Vec<HeaderValue> = origins
			.iter()
			.map(|o| HeaderValue::from_str(o).map_err(|_| BadOrigin { origin: o.clone() }))
			.collect::<Result<_, _>>()?;
		AllowOrigin::list(values)
	};
	Ok(Some(
		CorsLayer::new()
			.allow_origin(allow)
			.allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
			.allow_headers(Any)
			.expose_headers(Any)
			.max_age(std::time::Duration::from_secs(600)),
	))
}

/// Parse a comma-separated list (an environment variable's value).
pub fn parse_list(value: &str) -> Vec<String> {
	value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn origins_are_checked() {
		assert!(check_origin("*").is_ok());
		assert!(check_origin("http://127.0.0.1:5173").is_ok());
		assert!(check_origin("https://portal.example.org").is_ok());
		for bad in [
			"",
			"portal.example.org",
			"https://portal.example.org/",
			"ftp://x",
			"http://a/b",
			"https://",
		] {
			assert_eq!(check_origin(bad), Err(BadOrigin { origin: bad.into() }), "{bad}");
		}
		assert!(layer(&[]).expect("empty").is_none());
		assert!(layer(&["http://localhost:5173".into()]).expect("one").is_some());
		assert!(layer(&["nope".into()]).is_err());
		assert_eq!(parse_list(" http://a:1, ,http://b "), vec!["http://a:1", "http://b"]);
	}
}
