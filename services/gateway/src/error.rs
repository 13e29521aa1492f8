//! Errors, each mapped to an HTTP status and a FHIR `OperationOutcome` whose diagnostics is a
//! sentence the caller can act on.

use axum::{
	http::{header, StatusCode},
	response::{IntoResponse, Response},
};

use crate::fhir::outcome;

/// Everything a request or the gateway can fail with.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
	#[error("the request body is not valid JSON: {0}")]
	MalformedJson(String),
	#[error("{0}")]
	Invalid(String),
	#[error("resource type {0:?} is not supported by this server")]
	UnsupportedType(String),
	#[error("{0}")]
	NotFound(String),
	#[error("{0}")]
	Gone(String),
	#[error("{0}")]
	Conflict(String),
	#[error("{0}")]
	PreconditionFailed(String),
	#[error("the request body is larger than the configured limit of {0} bytes")]
	TooLarge(usize),
	#[error("{0}")]
	UnsupportedMediaType(String),
	#[error("{0}")]
	Unprocessable(String),
	#[error("the Healthchain node is unreachable: {0}")]
	ChainUnavailable(String),
	/// A signed request whose signature is missing, malformed, stale, replayed or forged.
	#[error("{0}")]
	Unauthorized(String),
	/// The chain's rules do not let the requester have this (the sentence names the reason).
	#[error("{0}")]
	Forbidden(String),
	/// Another organisation's gateway failed or answered what cannot be accepted.
	#[error("{0}")]
	BadGateway(String),
	#[error("database error: {0}")]
	Database(#[from] sqlx::Error),
	#[error("configuration error: {0}")]
	Config(String),
	#[error("internal error: {0}")]
	Internal(String),
}

impl GatewayError {
	/// The HTTP status and the `OperationOutcome` issue code.
	pub fn status_and_code(&self) -> (StatusCode, &'static str) {
		use GatewayError::*;
		match self {
			MalformedJson(_) => (StatusCode::BAD_REQUEST, "structure"),
			Invalid(_) => (StatusCode::BAD_REQUEST, "invalid"),
			UnsupportedType(_) => (StatusCode::NOT_FOUND, "not-supported"),
			NotFound(_) => (StatusCode::NOT_FOUND, "not-found"),
			Gone(_) => (StatusCode::GONE, "deleted"),
			Conflict(_) => (StatusCode::CONFLICT, "conflict"),
			PreconditionFailed(_) => (StatusCode::PRECONDITION_FAILED, "conflict"),
			TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too-costly"),
			UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not-supported"),
			Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "processing"),
			ChainUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "transient"),
			Unauthorized(_) => (StatusCode::UNAUTHORIZED, "security"),
			Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
			BadGateway(_) => (StatusCode::BAD_GATEWAY, "transient"),
			Database(_) | Config(_) | Internal(_) => {
				(StatusCode::INTERNAL_SERVER_ERROR, "exception")
			}
		}
	}
}

impl IntoResponse for GatewayError {
	fn into_response(self) -> Response {
		let (status, code) = self.status_and_code();
		if status.is_server_error() {
			tracing::error!(error = %self, "request failed");
		}
		let body = outcome(
			if status.is_server_error() { "fatal" } else { "error" },
			code,
			&self.to_string(),
		);
		(status, [(header::CONTENT_TYPE, "application/fhir+json")], body.to_string())
			.into_response()
	}
}
