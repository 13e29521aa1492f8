//! Pallet configuration, one module per area so the runtime reads as configuration.
//!
//! - [`system`]: frame-system limits, timestamp, utility.
//! - [`consensus`]: Aura block authoring and GRANDPA finality.
//! - [`monetary`]: balances (with holds) and transaction fees.
//! - [`governance`]: the council (collective + membership), the governance origin, sudo.
//! - [`healthchain`]: the provider registry, record anchors, consent and claims.
//! - [`delegation`]: proxies (keys an organisation delegates) and multisig accounts.

pub mod consensus;
pub mod delegation;
pub mod governance;
pub mod healthchain;
pub mod monetary;
pub mod system;

pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
