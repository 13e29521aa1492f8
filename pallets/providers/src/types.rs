//! Types of the provider registry.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{traits::ConstU32, BoundedVec};
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
	/// Permanently barred by governance. Terminal: the entry and its deposit stay, and it
	/// can neither deregister nor register again.
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

/// The longest libp2p peer id accepted, in bytes (an ed25519 peer id is 38).
pub const MAX_NODE_ID_LEN: u32 = 64;

/// A node's libp2p peer id, as bytes (the multihash: code, length, digest). The base58 form
/// `12D3KooW...` that nodes print decodes to these bytes.
pub type NodeId = BoundedVec<u8, ConstU32<MAX_NODE_ID_LEN>>;

/// Whether `bytes` is a well-formed peer-id multihash: identity (`0x00`, at most 42 bytes of
/// public key) or sha2-256 (`0x12`, 32 bytes), with a length byte matching the digest.
pub fn is_valid_node_id(bytes: &[u8]) -> bool {
	match bytes {
		[0x00, len, rest @ ..] => {
			*len as usize == rest.len() && !rest.is_empty() && rest.len() <= 42
		}
		[0x12, 32, rest @ ..] => rest.len() == 32,
		_ => false,
	}
}
