//! Healthchain node: the standard Substrate Aura + GRANDPA node for the consortium chain.

#![warn(missing_docs)]
// `sc_cli::Error` and `sc_service::Error` are upstream types returned by every sc-cli runner
// closure; boxing them here would only add noise at each call site.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod consortium;
mod node_proof;
mod rpc;
mod service;
mod try_runtime;

fn main() -> sc_cli::Result<()> {
	command::run()
}
