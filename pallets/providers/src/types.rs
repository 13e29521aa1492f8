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

/// The ed25519 public key a peer id stands for, if `peer_id` is an ed25519 peer id: the
/// identity multihash (`0x00`, length 36) of the protobuf-encoded key (`0x08 0x01`: key type
/// Ed25519; `0x12 0x20`: 32 bytes of key). Substrate nodes use ed25519 node keys only, and
/// only such a peer id lets the chain check a signature of the node's key.
pub fn ed25519_key_of(peer_id: &[u8]) -> Option<[u8; 32]> {
	match peer_id {
		[0x00, 0x24, 0x08, 0x01, 0x12, 0x20, key @ ..] => key.try_into().ok(),
		_ => None,
	}
}

/// The domain separator of a node-ownership proof.
pub const NODE_PROOF_CONTEXT: &[u8] = b"healthchain/node-ownership/v1";

/// The message a node's libp2p key signs to let organisation `who` list it on the chain whose
/// genesis block hash is `genesis`: `NODE_PROOF_CONTEXT ++ genesis ++ SCALE(who)`. The genesis
/// hash keeps a proof from being replayed on another network; the account keeps it from being
/// used by another organisation.
pub fn node_proof_message(genesis: &[u8], who: &impl Encode) -> alloc::vec::Vec<u8> {
	let mut m = alloc::vec::Vec::with_capacity(NODE_PROOF_CONTEXT.len() + genesis.len() + 32);
	m.extend_from_slice(NODE_PROOF_CONTEXT);
	m.extend_from_slice(genesis);
	who.encode_to(&mut m);
	m
}

/// A node an organisation lists: its peer id and a signature of
/// [`node_proof_message`] by the node's libp2p key, proving the organisation controls it.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct NodeProof {
	/// The node's libp2p peer id, as bytes (an ed25519 peer id, 38 bytes).
	pub peer_id: NodeId,
	/// The node key's ed25519 signature of [`node_proof_message`].
	pub signature: sp_core::ed25519::Signature,
}

/// The validators peer-level permissioning must never cut off: the current session's and
/// those queued for the next (in the runtime, from pallet-session).
pub trait SessionValidators<AccountId> {
	/// Their accounts (at most `Config::MaxValidators`).
	fn validators() -> alloc::vec::Vec<AccountId>;

	/// Make `validators` the session validators, for benchmarks.
	#[cfg(feature = "runtime-benchmarks")]
	fn set_validators_for_benchmarks(_validators: alloc::vec::Vec<AccountId>) {}
}
