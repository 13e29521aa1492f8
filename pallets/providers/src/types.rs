//! Types of the provider registry.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use healthchain_primitives::{Digest, Roles};
use scale_info::TypeInfo;

/// Where an organisation stands with the consortium.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum ProviderStatus {
	/// Registered, waiting for governance to approve or reject.
	Pending,
	/// Approved: may act in its roles while its credential is valid.
	Active,
	/// Temporarily barred by governance; can be reinstated.
	Suspended,
	/// Permanently barred by governance; can only deregister.
	Revoked,
}

/// A provider organisation's registration.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Provider<Balance, BlockNumber> {
	/// The roles it holds.
	pub roles: Roles,
	/// Where it stands.
	pub status: ProviderStatus,
	/// Salted digest of its credential document (licence, accreditation), kept off-chain.
	pub credential_digest: Digest,
	/// The first block at which the credential is no longer valid.
	pub credential_expires_at: BlockNumber,
	/// The deposit held from its account while registered.
	pub deposit: Balance,
	/// When it registered.
	pub registered_at: BlockNumber,
}
