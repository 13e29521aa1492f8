//! `healthchain-node node-proof`: the proof an organisation submits with `providers.setNodes`
//! that it controls a node: the node key's ed25519 signature of the node-ownership message
//! (`pallet_providers::node_proof_message`: a context string, the chain's genesis hash and the
//! organisation's account). Run it where the node key is; the key never leaves the machine.

use pallet_providers::{ed25519_key_of, node_proof_message};
use sp_core::{crypto::Ss58Codec, ed25519, Pair};
use std::path::PathBuf;

/// Sign the ownership proof of this node's key for an organisation's account.
#[derive(Debug, clap::Parser)]
pub struct NodeProofCmd {
	/// The node key file (`--node-key-file` of the node): 32 raw bytes or 64 hex digits.
	#[arg(long, conflicts_with = "node_key", required_unless_present = "node_key")]
	pub node_key_file: Option<PathBuf>,

	/// The node key as 64 hex digits (`--node-key` of the node).
	#[arg(long)]
	pub node_key: Option<String>,

	/// The organisation's account that will list the node (SS58 or 0x-hex).
	#[arg(long)]
	pub account: String,

	/// The chain's genesis block hash (0x-hex): `chain_getBlockHash(0)` of any of its nodes.
	#[arg(long)]
	pub genesis_hash: String,
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
	let s = s.trim().trim_start_matches("0x");
	if !s.len().is_multiple_of(2) {
		return Err("odd number of hex digits".into());
	}
	(0..s.len())
		.step_by(2)
		.map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| format!("not hex: {e}")))
		.collect()
}

fn encode_hex(bytes: &[u8]) -> String {
	let mut s = String::with_capacity(2 + 2 * bytes.len());
	s.push_str("0x");
	for b in bytes {
		s.push_str(&format!("{b:02x}"));
	}
	s
}

/// The node's ed25519 secret from a key file's content: 32 raw bytes or 64 hex digits.
fn secret_of(content: &[u8]) -> Result<[u8; 32], String> {
	if content.len() == 32 {
		return content.try_into().map_err(|_| "key file of 32 bytes".to_string());
	}
	let text = std::str::from_utf8(content).map_err(|_| "key file is neither 32 bytes nor hex")?;
	decode_hex(text)?
		.try_into()
		.map_err(|_| "the node key must be 32 bytes (64 hex digits)".to_string())
}

/// The libp2p peer id bytes of an ed25519 public key (identity multihash of the protobuf key).
pub fn peer_id_of(public: &ed25519::Public) -> Vec<u8> {
	let mut id = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
	id.extend_from_slice(public.as_ref());
	id
}

/// The proof as JSON: `peerId` (base58, as the node prints it), `peerIdHex` and `signature`
/// (the `NodeProof { peer_id, signature }` to pass to `providers.setNodes`).
pub fn node_proof(secret: [u8; 32], account: &[u8; 32], genesis: &[u8]) -> serde_json::Value {
	let pair = ed25519::Pair::from_seed(&secret);
	let peer_id = peer_id_of(&pair.public());
	debug_assert!(ed25519_key_of(&peer_id).is_some());
	let account = sp_runtime::AccountId32::from(*account);
	let signature = pair.sign(&node_proof_message(genesis, &account));
	serde_json::json!({
		"peerId": bs58::encode(&peer_id).into_string(),
		"peerIdHex": encode_hex(&peer_id),
		"account": account.to_ss58check(),
		"signature": encode_hex(signature.as_ref()),
	})
}

impl NodeProofCmd {
	/// Print the proof (JSON) on stdout.
	pub fn run(&self) -> sc_cli::Result<()> {
		let err = |m: String| sc_cli::Error::Input(m);
		let secret = match (&self.node_key_file, &self.node_key) {
			(Some(file), _) => secret_of(
				&std::fs::read(file)
					.map_err(|e| err(format!("cannot read {}: {e}", file.display())))?,
			),
			(None, Some(hex)) => secret_of(hex.as_bytes()),
			(None, None) => Err("give --node-key-file or --node-key".into()),
		}
		.map_err(err)?;
		let account: [u8; 32] = if self.account.starts_with("0x") {
			decode_hex(&self.account)
				.map_err(err)?
				.try_into()
				.map_err(|_| err("the account must be 32 bytes".into()))?
		} else {
			sp_runtime::AccountId32::from_ss58check(&self.account)
				.map_err(|e| err(format!("not an SS58 account: {e:?}")))?
				.into()
		};
		let genesis = decode_hex(&self.genesis_hash).map_err(err)?;
		if genesis.len() != 32 {
			return Err(err("the genesis hash must be 32 bytes".into()));
		}
		let json = serde_json::to_string_pretty(&node_proof(secret, &account, &genesis))
			.map_err(|e| err(format!("cannot print the proof: {e}")))?;
		println!("{json}");
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_proof_verifies_as_the_runtime_checks_it() {
		let secret = [1u8; 32];
		let account = [7u8; 32];
		let genesis = [9u8; 32];
		let proof = node_proof(secret, &account, &genesis);
		let field = |name: &str| proof[name].as_str().expect("a string field").to_string();
		let peer = decode_hex(&field("peerIdHex")).expect("hex");
		let key = ed25519_key_of(&peer).expect("an ed25519 peer id");
		let sig: [u8; 64] =
			decode_hex(&field("signature")).expect("hex").try_into().expect("64 bytes");
		let message = node_proof_message(&genesis, &sp_runtime::AccountId32::from(account));
		assert!(sp_io::crypto::ed25519_verify(
			&ed25519::Signature::from_raw(sig),
			&message,
			&ed25519::Public::from_raw(key)
		));
		// The base58 form is the one nodes print for an ed25519 key.
		assert!(field("peerId").starts_with("12D3KooW"));
		// A key file in hex or raw gives the same secret.
		assert_eq!(secret_of(&[1u8; 32]), Ok(secret));
		assert_eq!(secret_of("01".repeat(32).as_bytes()), Ok(secret));
		assert!(secret_of(b"0102").is_err());
	}
}
