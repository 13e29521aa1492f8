//! # Healthchain primitives
//!
//! The shared vocabulary of Healthchain's pallets: identifiers, the role/scope/purpose sets,
//! and the small traits through which one pallet asks another a question without depending on
//! its crate. Pallets couple **only** through these traits; the runtime wires the real
//! implementations, and each pallet's `mock.rs` supplies test doubles.
//!
//! | trait | asked by | answered by |
//! |---|---|---|
//! | [`ProviderRegistry`] | records, consent, claims, validator-set | providers |
//! | [`RecordRegistry`] | claims, consent | records |
//! | [`ConsentCheck`] | claims | consent |
//! | [`ProviderDiscipline`] | consent (break-glass reviews) | providers |
//! | [`OpenObligations`] | providers (deregistration) | claims |
//!
//! Nothing here can carry personal data: ids and digests are opaque 32-byte values computed
//! off-chain over salted content.

#![cfg_attr(not(feature = "std"), no_std)]

mod sets;
mod traits;

pub use sets::{Purpose, Purposes, Role, Roles, Scope, Scopes};
pub use traits::{
	ConsentCheck, OpenObligations, ProviderDiscipline, ProviderRegistry, RecordInfo, RecordRegistry,
};

/// Identifies a health record on chain: a 32-byte value the provider computes off-chain
/// (e.g. blake2-256 of its own record key and a salt). It reveals nothing about the record.
pub type RecordId = sp_core::H256;

/// A salted digest (blake2-256 over a salt and the canonical bytes of a document).
pub type Digest = sp_core::H256;
