//! Pallet configuration, one module per area so the runtime reads as configuration.
//!
//! - [`system`]: frame-system limits, timestamp, utility.
//! - [`consensus`]: Aura block authoring and GRANDPA finality.
//! - [`monetary`]: balances (with holds) and transaction fees.
//! - [`governance`]: sudo (dev preset only); the council joins here.
//! - [`healthchain`]: the provider registry and record anchors.

pub mod consensus;
pub mod governance;
pub mod healthchain;
pub mod monetary;
pub mod system;

pub use system::{RuntimeBlockLength, RuntimeBlockWeights};
