//! Command-line interface: `sc_cli::RunCmd` for the node itself plus the standard subcommands.

/// The subcommands of `healthchain-node`.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management cli utilities
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (`--chain dev|local|consortium-template|<file>`, `--raw`).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export the chain specification.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Sub-commands concerned with benchmarking (build with `--features runtime-benchmarks`).
	#[cfg(feature = "runtime-benchmarks")]
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Db meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Sign the proof that an organisation controls this node (for `providers.setNodes`):
	/// prints the peer id and the node key's signature as JSON.
	NodeProof(crate::node_proof::NodeProofCmd),

	/// A new consortium network: `consortium new --founders founders.json --out spec.json`
	/// builds its raw chain spec from the founders' own keys and prints its hashes.
	#[command(subcommand)]
	Consortium(crate::consortium::ConsortiumCmd),

	/// Dry-run a runtime upgrade or re-execute blocks against a live network's state:
	/// `try-runtime on-runtime-upgrade --runtime new.wasm --uri ws://…` (a runtime built with
	/// `scripts/build-runtime --features try-runtime`), `execute-block`, `create-snapshot`.
	#[command(subcommand)]
	TryRuntime(crate::try_runtime::TryRuntimeCmd),
}

/// `healthchain-node [SUBCOMMAND] [OPTIONS]`.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A subcommand; without one the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options of the running node.
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,
}
