//! The facts of one finalized block, decoded from its extrinsics and events: plain data that
//! [`crate::store::Store::write_block`] writes in one transaction.

/// Where a fact happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct At {
	pub block: i64,
	pub event_index: i64,
	/// The extrinsic whose dispatch emitted it (none for block initialization/finalization).
	pub extrinsic_index: Option<i64>,
	pub ts_ms: i64,
}

pub type Account = [u8; 32];

/// A block and everything indexed from it.
#[derive(Clone, Debug, Default)]
pub struct BlockFacts {
	pub number: u64,
	pub hash: [u8; 32],
	pub ts_ms: i64,
	pub spec_version: u32,
	pub extrinsic_count: u32,
	pub event_count: u32,
	pub extrinsics: Vec<ExtrinsicFact>,
	pub facts: Vec<Fact>,
}

/// A signed extrinsic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtrinsicFact {
	pub index: u32,
	pub hash: [u8; 32],
	pub signer: Option<Account>,
	/// The account a proxy acted for, or the patient of a fee-less patient call.
	pub real: Option<Account>,
	/// The effective call (the inner call of `proxy.proxy`).
	pub pallet: String,
	pub call: String,
	pub success: bool,
	/// The error's name (`Pallet.Error`) when it failed (or its inner call failed).
	pub error: Option<String>,
}

/// An access: `consent.AccessLogged` or `consent.RecordDisclosed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
	pub at: At,
	/// `logged` (the accessor logged its own access) or `disclosed` (a custodian released
	/// the record to the accessor).
	pub kind: &'static str,
	pub patient: Account,
	pub accessor: Account,
	pub custodian: Option<Account>,
	/// The key that signed the extrinsic (a proxy key, or the organisation itself).
	pub signer: Option<Account>,
	pub record_id: [u8; 32],
	pub scope: String,
	pub purpose: String,
	/// `consent`, `break_glass`, or `none` (a disclosure the rule did not cover when it was
	/// recorded: `denial` names why).
	pub basis: &'static str,
	pub break_glass_id: Option<i64>,
	pub denial: Option<String>,
	pub checked_at: Option<i64>,
}

/// Everything else indexed, in event order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
	Access(Access),
	Consent {
		at: At,
		patient: Account,
		/// The grantee, or the guardian for guardian events.
		party: Account,
		action: &'static str,
		scopes: Option<String>,
		purposes: Option<String>,
		expires_at: Option<i64>,
		consent_digest: Option<[u8; 32]>,
		by: Option<Account>,
		by_role: &'static str,
	},
	BreakGlassOpened {
		at: At,
		id: i64,
		patient: Account,
		provider: Account,
		reason: String,
		expires_at: i64,
	},
	BreakGlassClosed {
		at: At,
		id: i64,
		cause: String,
	},
	BreakGlassReviewed {
		at: At,
		id: i64,
		verdict: String,
		unjustified_total: i64,
		suspended: bool,
	},
	RecordAnchored {
		at: At,
		record_id: [u8; 32],
		subject: Account,
		author: Account,
		kind: i64,
		scope: String,
		digest: [u8; 32],
	},
	RecordAmended {
		at: At,
		record_id: [u8; 32],
		version: i64,
		digest: [u8; 32],
		author: Account,
	},
	RecordRetracted {
		at: At,
		record_id: [u8; 32],
		reason: String,
		author: Option<Account>,
	},
	BatchAnchored {
		at: At,
		batch_id: i64,
		root: [u8; 32],
		leaf_count: i64,
		author: Account,
	},
	ClaimSubmitted {
		at: At,
		claim_id: i64,
		provider: Account,
		insurer: Account,
		patient: Account,
		amount: String,
		digest: [u8; 32],
	},
	/// Any later step of a claim: `approved`, `denied`, `settled`, `disputed`, `resolved`,
	/// `withdrawn`.
	ClaimStep {
		at: At,
		claim_id: i64,
		action: &'static str,
		by: Option<Account>,
		amount: Option<String>,
		partial: Option<bool>,
		denial_reason: Option<i64>,
		escalated: Option<bool>,
		/// For `resolved`: the award; `amount` is the total paid.
		award: Option<String>,
	},
	Provider {
		at: At,
		who: Option<Account>,
		action: &'static str,
		roles: Option<String>,
		credential_expires_at: Option<i64>,
		count: Option<i64>,
	},
	Validator {
		at: At,
		action: &'static str,
		who: Option<Account>,
		session: Option<i64>,
		count: Option<i64>,
	},
}

/// `MentalHealth` -> `mental_health`: the API's names for the chain's enum variants.
pub fn snake(name: &str) -> String {
	let mut out = String::with_capacity(name.len() + 4);
	for (i, c) in name.chars().enumerate() {
		if c.is_ascii_uppercase() {
			if i > 0 {
				out.push('_');
			}
			out.push(c.to_ascii_lowercase());
		} else {
			out.push(c);
		}
	}
	out
}

#[cfg(test)]
mod tests {
	#[test]
	fn variant_names_become_snake_case() {
		assert_eq!(super::snake("MentalHealth"), "mental_health");
		assert_eq!(super::snake("Labs"), "labs");
		assert_eq!(super::snake("PatientUnableToConsent"), "patient_unable_to_consent");
	}
}
