//! Signed organisation-to-organisation requests: the `healthchain-httpsig` crate (the RFC 9421
//! profile specified in docs/exchange.md), shared with the indexer.

pub use healthchain_httpsig::*;
