//! Errors of the indexer and how the query API answers them.

use axum::{
	http::StatusCode,
	response::{IntoResponse, Response},
	Json,
};
use serde_json::json;

/// What went wrong, as a sentence for the caller or the operator.
#[derive(Debug, thiserror::Error)]
pub enum IndexerError {
	#[error("database error: {0}")]
	Database(#[from] sqlx::Error),
	#[error("{0}")]
	Config(String),
	#[error("chain: {0}")]
	Chain(#[from] healthchain_chain::ChainError),
	#[error("cannot decode {what} at block {block}: {reason}")]
	Decode { block: u64, what: String, reason: String },
	#[error("this database indexes the chain with genesis {stored}, the node is on {node}: use a database of its own for each chain")]
	WrongChain { stored: String, node: String },
	#[error("block {number} is indexed with hash {stored}, the node's finalized block {number} is {node}: the database belongs to another chain or was restored from elsewhere")]
	Diverged { number: u64, stored: String, node: String },
	/// A bad query parameter (400).
	#[error("{0}")]
	BadRequest(String),
	/// The request is not signed, or its signature does not verify (401).
	#[error("{0}")]
	Unauthorized(String),
	/// Signed, but the signer may not see this (403).
	#[error("{0}")]
	Forbidden(String),
	#[error("{0}")]
	NotFound(String),
	/// Too much at once (503): retry later.
	#[error("{0}")]
	Busy(String),
}

impl IndexerError {
	pub fn status(&self) -> StatusCode {
		match self {
			Self::BadRequest(_) => StatusCode::BAD_REQUEST,
			Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
			Self::Forbidden(_) => StatusCode::FORBIDDEN,
			Self::NotFound(_) => StatusCode::NOT_FOUND,
			Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
			_ => StatusCode::INTERNAL_SERVER_ERROR,
		}
	}

	fn code(&self) -> &'static str {
		match self {
			Self::BadRequest(_) => "invalid",
			Self::Unauthorized(_) => "login",
			Self::Forbidden(_) => "forbidden",
			Self::NotFound(_) => "not-found",
			Self::Busy(_) => "throttled",
			_ => "exception",
		}
	}

	/// A FHIR `OperationOutcome` (for the `/fhir` endpoints).
	pub fn operation_outcome(&self) -> serde_json::Value {
		json!({
			"resourceType": "OperationOutcome",
			"issue": [{"severity": "error", "code": self.code(), "diagnostics": self.to_string()}],
		})
	}
}

impl IntoResponse for IndexerError {
	fn into_response(self) -> Response {
		if self.status().is_server_error() {
			tracing::error!(error = %self, "request failed");
		}
		(self.status(), Json(json!({"error": self.code(), "message": self.to_string()})))
			.into_response()
	}
}

/// An error on a `/fhir` endpoint: answered as an `OperationOutcome`.
pub struct FhirError(pub IndexerError);

impl From<IndexerError> for FhirError {
	fn from(e: IndexerError) -> Self {
		Self(e)
	}
}

impl IntoResponse for FhirError {
	fn into_response(self) -> Response {
		let status = self.0.status();
		let mut r = (status, Json(self.0.operation_outcome())).into_response();
		r.headers_mut().insert(
			axum::http::header::CONTENT_TYPE,
			axum::http::HeaderValue::from_static("application/fhir+json"),
		);
		r
	}
}
