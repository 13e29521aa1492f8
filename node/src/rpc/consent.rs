//! `consent_*` JSON-RPC methods over the runtime's `ConsentApi`.
//!
//! Scopes and purposes are passed and returned by name, case-insensitive on input:
//! scopes `clinical`, `labs`, `imaging`, `medications`, `mentalHealth`, `genomics`, `billing`;
//! purposes `treatment`, `payment`, `operations`, `research`. Accounts are SS58 strings.
//!
//! - `consent_hasAccess(patient, grantee, scope, purpose, at?)` → `true` | `false`
//! - `consent_accessBasis(patient, grantee, scope, purpose, at?)` →
//!   `{"allowed":true,"basis":"consent"}` | `{"allowed":true,"basis":"breakGlass","breakGlassId":3}` |
//!   `{"allowed":false,"reason":"consentExpired"}` (reasons: `notActiveProvider`,
//!   `consentMissing`, `consentExpired`, `scopeNotGranted`, `purposeNotGranted`)
//! - `consent_recordAccess(accessor, recordId, purpose, at?)` → the same object plus
//!   `"patient"` and `"scope"` (the record's own) when the access is allowed; more reasons:
//!   `unknownRecord`, `recordNotOfPatient`, `recordRetracted`. What a gateway asks before releasing a record: the
//!   chain's one access rule, with the record's scope.
//! - `consent_grantsOf(patient, at?)` → `[{"grantee","scopes":[..],"purposes":[..],
//!   "grantedAt","expiresAt","grantedBy","consentDigest","live"}]` (`live` is false for an
//!   expired grant the sweep has not removed yet)
//! - `consent_guardiansOf(patient, at?)` → `[account, ...]`
//! - `consent_breakGlass(id, at?)` → `null` | `{"id","patient","provider","reason","openedAt",
//!   "expiresAt","open","review"}` (`review`: `pending`, `justified`, `unjustified`)
//! - `consent_breakGlassTally(provider, at?)` → `{"opened","justified","unjustified"}`
//!
//! `at` is an optional block hash; without it the answer is at the **finalized** block (an audit
//! answer must not be reverted by a re-org). Unknown scope or purpose
//! names are refused with error code 2 and a message listing the valid names.

use std::sync::Arc;

use super::runtime_error;
use healthchain_primitives::{Purpose, Purposes, Scope, Scopes};
use healthchain_runtime::{opaque::Block, AccountId, BlockNumber};
use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use pallet_consent::{
	runtime_api::ConsentApi, AccessBasis, AccessDenial, BreakGlassReason, Review,
};
use serde::Serialize;
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::H256;

/// A parameter could not be understood.
const INVALID_PARAM: i32 = 2;

fn lower_camel(debug_name: &str) -> String {
	let mut chars = debug_name.chars();
	match chars.next() {
		Some(c) => c.to_ascii_lowercase().to_string() + chars.as_str(),
		None => String::new(),
	}
}

/// The JSON name of a scope (`mentalHealth`).
pub fn scope_name(s: Scope) -> String {
	lower_camel(&format!("{s:?}"))
}

/// The JSON name of a purpose (`treatment`).
pub fn purpose_name(p: Purpose) -> String {
	lower_camel(&format!("{p:?}"))
}

/// Parse a scope name, case-insensitive.
pub fn parse_scope(name: &str) -> Result<Scope, ErrorObjectOwned> {
	Scope::ALL.iter().copied().find(|s| scope_name(*s).eq_ignore_ascii_case(name)).ok_or_else(
		|| {
			let valid: Vec<String> = Scope::ALL.iter().map(|s| scope_name(*s)).collect();
			ErrorObject::owned(
				INVALID_PARAM,
				format!("unknown scope '{name}'; valid: {}", valid.join(", ")),
				None::<()>,
			)
		},
	)
}

/// Parse a purpose name, case-insensitive.
pub fn parse_purpose(name: &str) -> Result<Purpose, ErrorObjectOwned> {
	Purpose::ALL.iter().copied().find(|p| purpose_name(*p).eq_ignore_ascii_case(name)).ok_or_else(
		|| {
			let valid: Vec<String> = Purpose::ALL.iter().map(|p| purpose_name(*p)).collect();
			ErrorObject::owned(
				INVALID_PARAM,
				format!("unknown purpose '{name}'; valid: {}", valid.join(", ")),
				None::<()>,
			)
		},
	)
}

fn scope_names(set: Scopes) -> Vec<String> {
	Scope::ALL.iter().filter(|s| set.contains(**s)).map(|s| scope_name(*s)).collect()
}

fn purpose_names(set: Purposes) -> Vec<String> {
	Purpose::ALL.iter().filter(|p| set.contains(**p)).map(|p| purpose_name(*p)).collect()
}

/// The answer of `consent_accessBasis`.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AccessJson {
	/// Whether the access is covered.
	pub allowed: bool,
	/// `consent` or `breakGlass` when allowed.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub basis: Option<&'static str>,
	/// The break-glass access id when the basis is `breakGlass`.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub break_glass_id: Option<u64>,
	/// Why not, when refused.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub reason: Option<&'static str>,
}

impl From<Result<AccessBasis, AccessDenial>> for AccessJson {
	fn from(r: Result<AccessBasis, AccessDenial>) -> Self {
		match r {
			Ok(AccessBasis::Consent) => {
				Self { allowed: true, basis: Some("consent"), break_glass_id: None, reason: None }
			}
			Ok(AccessBasis::BreakGlass(id)) => Self {
				allowed: true,
				basis: Some("breakGlass"),
				break_glass_id: Some(id),
				reason: None,
			},
			Err(d) => Self {
				allowed: false,
				basis: None,
				break_glass_id: None,
				reason: Some(match d {
					AccessDenial::ConsentMissing => "consentMissing",
					AccessDenial::ConsentExpired => "consentExpired",
					AccessDenial::ScopeNotGranted => "scopeNotGranted",
					AccessDenial::PurposeNotGranted => "purposeNotGranted",
					AccessDenial::UnknownRecord => "unknownRecord",
					AccessDenial::RecordNotOfPatient => "recordNotOfPatient",
					AccessDenial::NotActiveProvider => "notActiveProvider",
					AccessDenial::RecordRetracted => "recordRetracted",
				}),
			},
		}
	}
}

/// The answer of `consent_recordAccess`.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct RecordAccessJson {
	/// Allowed, basis, break-glass id or reason.
	#[serde(flatten)]
	pub access: AccessJson,
	/// The record's subject, when allowed.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub patient: Option<AccountId>,
	/// The record's scope, when allowed.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub scope: Option<String>,
}

/// A grant, as JSON.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct GrantJson {
	/// Who may access.
	pub grantee: AccountId,
	/// Scope names.
	pub scopes: Vec<String>,
	/// Purpose names.
	pub purposes: Vec<String>,
	/// Block granted (or last updated) at.
	pub granted_at: BlockNumber,
	/// First block without access.
	pub expires_at: BlockNumber,
	/// The patient or the guardian who granted.
	pub granted_by: AccountId,
	/// Digest of the off-chain FHIR Consent, if any.
	pub consent_digest: Option<H256>,
	/// Whether the grant is in force at the queried block.
	pub live: bool,
}

/// A break-glass access, as JSON.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct BreakGlassJson {
	/// Id.
	pub id: u64,
	/// The patient.
	pub patient: AccountId,
	/// The emergency provider.
	pub provider: AccountId,
	/// `patientUnableToConsent`, `lifeThreatening`, `publicHealthEmergency` or `other`.
	pub reason: &'static str,
	/// Opening block.
	pub opened_at: BlockNumber,
	/// First block the window is closed.
	pub expires_at: BlockNumber,
	/// Whether the window is open at the queried block.
	pub open: bool,
	/// `pending`, `justified` or `unjustified`.
	pub review: &'static str,
}

/// A provider's break-glass tally, as JSON.
#[derive(Serialize, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct TallyJson {
	/// Windows opened.
	pub opened: u32,
	/// Reviewed as justified.
	pub justified: u32,
	/// Reviewed as unjustified.
	pub unjustified: u32,
}

/// The `consent_*` RPC methods.
#[rpc(server, namespace = "consent")]
pub trait ConsentRpcApi<BlockHash> {
	/// Whether `grantee` may access `patient`'s data in `scope` for `purpose`.
	#[method(name = "hasAccess")]
	fn has_access(
		&self,
		patient: AccountId,
		grantee: AccountId,
		scope: String,
		purpose: String,
		at: Option<BlockHash>,
	) -> RpcResult<bool>;

	/// On which basis the access is covered, or why not.
	#[method(name = "accessBasis")]
	fn access_basis(
		&self,
		patient: AccountId,
		grantee: AccountId,
		scope: String,
		purpose: String,
		at: Option<BlockHash>,
	) -> RpcResult<AccessJson>;

	/// Whether `accessor` may access record `record_id` for `purpose` (the record's own scope).
	#[method(name = "recordAccess")]
	fn record_access(
		&self,
		accessor: AccountId,
		record_id: H256,
		purpose: String,
		at: Option<BlockHash>,
	) -> RpcResult<RecordAccessJson>;

	/// The patient's grants.
	#[method(name = "grantsOf")]
	fn grants_of(&self, patient: AccountId, at: Option<BlockHash>) -> RpcResult<Vec<GrantJson>>;

	/// The patient's guardians.
	#[method(name = "guardiansOf")]
	fn guardians_of(&self, patient: AccountId, at: Option<BlockHash>) -> RpcResult<Vec<AccountId>>;

	/// A break-glass access.
	#[method(name = "breakGlass")]
	fn break_glass(&self, id: u64, at: Option<BlockHash>) -> RpcResult<Option<BreakGlassJson>>;

	/// A provider's break-glass tally.
	#[method(name = "breakGlassTally")]
	fn break_glass_tally(&self, provider: AccountId, at: Option<BlockHash>)
		-> RpcResult<TallyJson>;
}

/// Implements [`ConsentRpcApiServer`] over a client.
pub struct Consent<C> {
	client: Arc<C>,
}

impl<C> Consent<C> {
	/// An RPC handler over `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client }
	}
}

impl<C> Consent<C>
where
	C: HeaderBackend<Block>,
{
	fn at(&self, at: Option<H256>) -> Result<(H256, BlockNumber), ErrorObjectOwned> {
		let hash = at.unwrap_or_else(|| self.client.info().finalized_hash);
		let number = self
			.client
			.number(hash)
			.map_err(runtime_error)?
			.ok_or_else(|| runtime_error(format!("unknown block {hash:?}")))?;
		Ok((hash, number))
	}
}

impl<C> ConsentRpcApiServer<H256> for Consent<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ConsentApi<Block, AccountId, BlockNumber>,
{
	fn has_access(
		&self,
		patient: AccountId,
		grantee: AccountId,
		scope: String,
		purpose: String,
		at: Option<H256>,
	) -> RpcResult<bool> {
		let (scope, purpose) = (parse_scope(&scope)?, parse_purpose(&purpose)?);
		let (at, _) = self.at(at)?;
		self.client
			.runtime_api()
			.has_access(at, patient, grantee, scope, purpose)
			.map_err(runtime_error)
	}

	fn access_basis(
		&self,
		patient: AccountId,
		grantee: AccountId,
		scope: String,
		purpose: String,
		at: Option<H256>,
	) -> RpcResult<AccessJson> {
		let (scope, purpose) = (parse_scope(&scope)?, parse_purpose(&purpose)?);
		let (at, _) = self.at(at)?;
		let r = self
			.client
			.runtime_api()
			.access_basis(at, patient, grantee, scope, purpose)
			.map_err(runtime_error)?;
		Ok(r.into())
	}

	fn record_access(
		&self,
		accessor: AccountId,
		record_id: H256,
		purpose: String,
		at: Option<H256>,
	) -> RpcResult<RecordAccessJson> {
		let purpose = parse_purpose(&purpose)?;
		let (at, _) = self.at(at)?;
		let r = self
			.client
			.runtime_api()
			.record_access(at, accessor, record_id, purpose)
			.map_err(runtime_error)?;
		Ok(match r {
			Ok((patient, scope, basis)) => RecordAccessJson {
				access: Ok(basis).into(),
				patient: Some(patient),
				scope: Some(scope_name(scope)),
			},
			Err(d) => RecordAccessJson { access: Err(d).into(), patient: None, scope: None },
		})
	}

	fn grants_of(&self, patient: AccountId, at: Option<H256>) -> RpcResult<Vec<GrantJson>> {
		let (at, number) = self.at(at)?;
		let grants = self.client.runtime_api().grants_of(at, patient).map_err(runtime_error)?;
		Ok(grants
			.into_iter()
			.map(|(grantee, g)| GrantJson {
				grantee,
				scopes: scope_names(g.scopes),
				purposes: purpose_names(g.purposes),
				granted_at: g.granted_at,
				expires_at: g.expires_at,
				live: number < g.expires_at,
				granted_by: g.granted_by,
				consent_digest: g.consent_digest,
			})
			.collect())
	}

	fn guardians_of(&self, patient: AccountId, at: Option<H256>) -> RpcResult<Vec<AccountId>> {
		let (at, _) = self.at(at)?;
		self.client.runtime_api().guardians_of(at, patient).map_err(runtime_error)
	}

	fn break_glass(&self, id: u64, at: Option<H256>) -> RpcResult<Option<BreakGlassJson>> {
		let (at, number) = self.at(at)?;
		let access = self.client.runtime_api().break_glass(at, id).map_err(runtime_error)?;
		Ok(access.map(|a| BreakGlassJson {
			id,
			patient: a.patient,
			provider: a.provider,
			reason: match a.reason {
				BreakGlassReason::PatientUnableToConsent => "patientUnableToConsent",
				BreakGlassReason::LifeThreatening => "lifeThreatening",
				BreakGlassReason::PublicHealthEmergency => "publicHealthEmergency",
				BreakGlassReason::Other => "other",
			},
			opened_at: a.opened_at,
			expires_at: a.expires_at,
			open: number < a.expires_at,
			review: match a.review {
				Review::Pending => "pending",
				Review::Justified => "justified",
				Review::Unjustified => "unjustified",
			},
		}))
	}

	fn break_glass_tally(&self, provider: AccountId, at: Option<H256>) -> RpcResult<TallyJson> {
		let (at, _) = self.at(at)?;
		let t = self.client.runtime_api().break_glass_tally(at, provider).map_err(runtime_error)?;
		Ok(TallyJson { opened: t.opened, justified: t.justified, unjustified: t.unjustified })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn names_round_trip_case_insensitively() {
		assert_eq!(scope_name(Scope::MentalHealth), "mentalHealth");
		assert_eq!(parse_scope("MENTALHEALTH").ok(), Some(Scope::MentalHealth));
		assert_eq!(parse_scope("labs").ok(), Some(Scope::Labs));
		assert_eq!(parse_purpose("Treatment").ok(), Some(Purpose::Treatment));
		for s in Scope::ALL {
			assert_eq!(parse_scope(&scope_name(*s)).ok(), Some(*s));
		}
		for p in Purpose::ALL {
			assert_eq!(parse_purpose(&purpose_name(*p)).ok(), Some(*p));
		}
	}

	#[test]
	fn unknown_names_list_the_valid_ones() {
		let e = parse_scope("xrays").expect_err("refused");
		assert_eq!(e.code(), INVALID_PARAM);
		assert!(e.message().contains("imaging"));
		let e = parse_purpose("marketing").expect_err("refused");
		assert!(e.message().contains("research"));
	}

	#[test]
	fn access_json_shapes() {
		let j =
			serde_json::to_value(AccessJson::from(Ok(AccessBasis::BreakGlass(3)))).expect("json");
		assert_eq!(
			j,
			serde_json::json!({"allowed": true, "basis": "breakGlass", "breakGlassId": 3})
		);
		let j = serde_json::to_value(AccessJson::from(Err(AccessDenial::ConsentExpired)))
			.expect("json");
		assert_eq!(j, serde_json::json!({"allowed": false, "reason": "consentExpired"}));
	}
}
