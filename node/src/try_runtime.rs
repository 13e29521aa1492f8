//! `healthchain-node try-runtime`: dry-runs a runtime upgrade and re-executes blocks against the
//! real state of a running network, before anything is proposed on chain.
//!
//! What paritytech's try-runtime-cli does, built from the polkadot-sdk crates this node already
//! links (the standalone CLI is not published for stable2609 and its remote-externalities crate
//! lags one release behind): the state at a block is read over RPC (`state_getKeysPaged` +
//! `state_queryStorageAt`, both safe methods) into an in-memory trie, optionally saved as a
//! snapshot file, and the runtime under test (a `--features try-runtime` build:
//! `scripts/build-runtime --features try-runtime`) is executed on it with the node's own wasm
//! executor and host functions:
//!
//! - `on-runtime-upgrade` calls `TryRuntime_on_runtime_upgrade` with the chosen checks (`all`:
//!   every migration's `pre_upgrade`/`post_upgrade`, the pallets' storage-version checks and
//!   every pallet's `try_state`), then checks that the migrations fit in one block and are
//!   idempotent (a second run on the migrated state changes nothing), and that `spec_name` is the
//!   chain's and `spec_version` goes up.
//! - `execute-block` re-executes a block on its parent's state with `TryRuntime_execute_block`
//!   (state root and signatures checked, then `try_state` of the chosen pallets).
//! - `create-snapshot` saves the state at a block for later runs (`--snapshot`), e.g. of a
//!   production chain on an auditor's machine.
//!
//! A failing check stops with the runtime's own message (the `TryRuntime` API panics in wasm)
//! and a non-zero exit code.

use codec::{Compact, Decode, Encode};
use jsonrpsee::{
	core::client::ClientT,
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use sc_executor::{RuntimeVersionOf, WasmExecutor};
use sp_core::{
	storage::{well_known_keys, StorageChangeSet, StorageData, StorageKey},
	traits::{CallContext, ReadRuntimeVersionExt, RuntimeCode, WrappedRuntimeCode},
	Bytes, H256,
};
use sp_runtime::{
	generic::DigestItem,
	traits::{BlakeTwo256, Header as _},
	StateVersion,
};
use sp_state_machine::{
	backend::{BackendRuntimeCode, TryPendingCode},
	InMemoryBackend, OverlayedChanges, StateMachine,
};
use std::{collections::BTreeMap, path::PathBuf, time::Instant};

type Header = healthchain_runtime::opaque::Header;
type Executor = WasmExecutor<sp_io::SubstrateHostFunctions>;
type State = InMemoryBackend<BlakeTwo256>;

/// Keys (and values) fetched per RPC request.
const PAGE: u32 = 1000;
/// First bytes of a snapshot file, then its format version.
const SNAPSHOT_MAGIC: &[u8; 8] = b"hcsnap\0\0";
const SNAPSHOT_VERSION: u8 = 1;

/// `healthchain-node try-runtime <command>`.
#[derive(Debug, clap::Subcommand)]
pub enum TryRuntimeCmd {
	/// Run the runtime's migrations (`--runtime`) on the state of a live network or snapshot,
	/// with the chosen checks: `on-runtime-upgrade --runtime new.wasm --uri ws://…`.
	OnRuntimeUpgrade(OnRuntimeUpgradeCmd),
	/// Re-execute a block (default: the latest finalized) on its parent's state with the
	/// runtime under test, checking the state root, signatures and `try_state`.
	ExecuteBlock(ExecuteBlockCmd),
	/// Save the state at a block to a file (`--snapshot` of the other commands).
	CreateSnapshot(CreateSnapshotCmd),
}

/// Where the state comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct StateSource {
	/// A node's WebSocket RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944", conflicts_with = "snapshot")]
	uri: String,
	/// The block whose state is used (default: the latest finalized block).
	#[arg(long)]
	at: Option<H256>,
	/// A snapshot file written by `create-snapshot`, instead of a node.
	#[arg(long)]
	snapshot: Option<PathBuf>,
}

/// Which checks `on-runtime-upgrade` runs (frame-support's `UpgradeCheckSelect`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Checks {
	/// No checks: only the migrations.
	None,
	/// `pre_upgrade`/`post_upgrade` of every migration and `try_state` of every pallet.
	All,
	/// `pre_upgrade`/`post_upgrade` only.
	PreAndPost,
	/// `try_state` only.
	TryState,
}

/// Mirror of `frame_support::traits::UpgradeCheckSelect` (only defined with frame-support's
/// `try-runtime` feature, which the node must not enable: it would change the native runtime
/// it links). Same variants in the same order, hence the same SCALE encoding.
#[derive(Encode)]
enum UpgradeCheckSelect {
	None,
	All,
	PreAndPost,
	TryState,
}

/// Mirror of `frame_support::traits::TryStateSelect` (same reason, same encoding).
#[derive(Encode)]
#[allow(dead_code)]
enum TryStateSelect {
	None,
	All,
	RoundRobin(u32),
	Only(Vec<Vec<u8>>),
}

/// `try-runtime on-runtime-upgrade`.
#[derive(Debug, clap::Args)]
pub struct OnRuntimeUpgradeCmd {
	/// The runtime to try: a wasm built with `--features try-runtime`.
	#[arg(long)]
	runtime: PathBuf,
	#[command(flatten)]
	source: StateSource,
	/// The checks to run.
	#[arg(long, value_enum, default_value = "all")]
	checks: Checks,
	/// Accept a `spec_version` that does not go up (e.g. to run the checks of the running
	/// runtime on its own state). Without it a non-increasing version is an error: nodes would
	/// not switch to the new code.
	#[arg(long)]
	no_spec_version_check: bool,
}

/// `try-runtime execute-block`.
#[derive(Debug, clap::Args)]
pub struct ExecuteBlockCmd {
	/// The runtime to execute the block with: a wasm built with `--features try-runtime`.
	#[arg(long)]
	runtime: PathBuf,
	/// A node's WebSocket RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	uri: String,
	/// The block to execute (default: the latest finalized block).
	#[arg(long)]
	at: Option<H256>,
	/// Run no `try_state` checks after the block (they run for every pallet by default).
	#[arg(long)]
	no_try_state: bool,
}

/// `try-runtime create-snapshot`.
#[derive(Debug, clap::Args)]
pub struct CreateSnapshotCmd {
	/// A node's WebSocket RPC endpoint.
	#[arg(long, default_value = "ws://127.0.0.1:9944")]
	uri: String,
	/// The block whose state is saved (default: the latest finalized block).
	#[arg(long)]
	at: Option<H256>,
	/// The file to write.
	#[arg(long)]
	out: PathBuf,
}

/// A failure, as one sentence.
#[derive(Debug)]
pub struct Failure(String);

impl std::fmt::Display for Failure {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.0)
	}
}

impl std::error::Error for Failure {}

fn fail<T>(msg: impl Into<String>) -> Result<T, Failure> {
	Err(Failure(msg.into()))
}

impl TryRuntimeCmd {
	/// Runs the command; logs of the runtime (`runtime`, migrations) and of the checks are
	/// printed at `info`.
	pub fn run(&self) -> sc_cli::Result<()> {
		// Keep the runtime's own log lines (migrations, try_state) visible.
		let mut logger = sc_cli::LoggerBuilder::new("info");
		logger.with_colors(false);
		let _ = logger.init();
		let rt = tokio::runtime::Builder::new_current_thread()
			.enable_all()
			.build()
			.map_err(|e| sc_cli::Error::Application(Box::new(e)))?;
		let outcome = rt.block_on(async {
			match self {
				TryRuntimeCmd::OnRuntimeUpgrade(cmd) => cmd.run().await,
				TryRuntimeCmd::ExecuteBlock(cmd) => cmd.run().await,
				TryRuntimeCmd::CreateSnapshot(cmd) => cmd.run().await,
			}
		});
		if let Err(e) = outcome {
			// The sentence, not a Debug dump of the error enum; exit code 1.
			eprintln!("try-runtime failed: {e}");
			std::process::exit(1);
		}
		Ok(())
	}
}

async fn connect(uri: &str) -> Result<WsClient, Failure> {
	WsClientBuilder::default()
		.max_response_size(256 * 1024 * 1024)
		.request_timeout(std::time::Duration::from_secs(120))
		.build(uri)
		.await
		.map_err(|e| Failure(format!("cannot connect to the node at {uri}: {e}")))
}

async fn rpc<R: serde::de::DeserializeOwned>(
	client: &WsClient,
	method: &str,
	params: jsonrpsee::core::params::ArrayParams,
) -> Result<R, Failure> {
	client.request(method, params).await.map_err(|e| Failure(format!("{method}: {e}")))
}

async fn finalized_or(client: &WsClient, at: Option<H256>) -> Result<H256, Failure> {
	match at {
		Some(h) => Ok(h),
		None => rpc(client, "chain_getFinalizedHead", rpc_params![]).await,
	}
}

/// The whole top trie at `at`, read page by page.
async fn fetch_state(client: &WsClient, at: H256) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, Failure> {
	let started = Instant::now();
	let mut keys: Vec<StorageKey> = Vec::new();
	let mut start: Option<StorageKey> = None;
	loop {
		let page: Vec<StorageKey> =
			rpc(client, "state_getKeysPaged", rpc_params!["0x", PAGE, start.clone(), at]).await?;
		let full = page.len() as u32 == PAGE;
		start = page.last().cloned();
		keys.extend(page);
		if !full {
			break;
		}
	}
	if let Some(child) =
		keys.iter().find(|k| k.0.starts_with(well_known_keys::DEFAULT_CHILD_STORAGE_KEY_PREFIX))
	{
		return fail(format!(
			"the state holds a child trie ({}); this tool reads the top trie only",
			sp_core::hexdisplay::HexDisplay::from(&child.0)
		));
	}
	let mut pairs = BTreeMap::new();
	for chunk in keys.chunks(PAGE as usize) {
		let sets: Vec<StorageChangeSet<H256>> =
			rpc(client, "state_queryStorageAt", rpc_params![chunk.to_vec(), at]).await?;
		for set in sets {
			for (k, v) in set.changes {
				if let Some(StorageData(v)) = v {
					pairs.insert(k.0, v);
				}
			}
		}
	}
	if pairs.len() != keys.len() {
		return fail(format!(
			"the node listed {} keys at {at:?} but returned {} values (pruned state? use an \
			 archive node or a recent block)",
			keys.len(),
			pairs.len()
		));
	}
	log::info!(
		target: "try-runtime",
		"state at {at:?}: {} keys, {} bytes, read in {:.1} s",
		pairs.len(),
		pairs.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>(),
		started.elapsed().as_secs_f64()
	);
	Ok(pairs)
}

/// A snapshot: magic, format version, then SCALE `(block hash, pairs)`.
fn write_snapshot(
	path: &PathBuf,
	at: H256,
	pairs: &BTreeMap<Vec<u8>, Vec<u8>>,
) -> Result<(), Failure> {
	let mut bytes = SNAPSHOT_MAGIC.to_vec();
	bytes.push(SNAPSHOT_VERSION);
	(at, pairs.iter().collect::<Vec<_>>()).encode_to(&mut bytes);
	let tmp = path.with_extension("tmp");
	std::fs::write(&tmp, &bytes)
		.and_then(|_| std::fs::rename(&tmp, path))
		.map_err(|e| Failure(format!("cannot write the snapshot {}: {e}", path.display())))
}

fn read_snapshot(path: &PathBuf) -> Result<(H256, BTreeMap<Vec<u8>, Vec<u8>>), Failure> {
	let bytes = std::fs::read(path)
		.map_err(|e| Failure(format!("cannot read the snapshot {}: {e}", path.display())))?;
	let body = bytes
		.strip_prefix(&SNAPSHOT_MAGIC[..])
		.and_then(|b| b.strip_prefix(&[SNAPSHOT_VERSION]))
		.ok_or_else(|| Failure(format!("{} is not a version-1 snapshot", path.display())))?;
	let (at, pairs) = <(H256, Vec<(Vec<u8>, Vec<u8>)>)>::decode(&mut &body[..])
		.map_err(|e| Failure(format!("{} is damaged: {e}", path.display())))?;
	Ok((at, pairs.into_iter().collect()))
}

async fn load_state(source: &StateSource) -> Result<(H256, BTreeMap<Vec<u8>, Vec<u8>>), Failure> {
	match &source.snapshot {
		Some(path) => {
			if source.at.is_some() {
				return fail("--at applies to a node (--uri), not to a snapshot");
			}
			read_snapshot(path)
		}
		None => {
			let client = connect(&source.uri).await?;
			let at = finalized_or(&client, source.at).await?;
			Ok((at, fetch_state(&client, at).await?))
		}
	}
}

fn read_wasm(path: &PathBuf) -> Result<Vec<u8>, Failure> {
	std::fs::read(path)
		.map_err(|e| Failure(format!("cannot read the runtime {}: {e}", path.display())))
}

fn executor() -> Executor {
	WasmExecutor::builder().with_max_runtime_instances(1).with_runtime_cache_size(2).build()
}

/// The state version the trie uses (the on-chain runtime's `state_version`).
fn state_of(pairs: &BTreeMap<Vec<u8>, Vec<u8>>, version: StateVersion) -> State {
	State::from((pairs.clone(), version))
}

/// The `RuntimeVersion` of the code stored at `:code` in `state`.
fn version_of(exec: &Executor, state: &State) -> Result<sp_version::RuntimeVersion, Failure> {
	let code = BackendRuntimeCode::new(state, TryPendingCode::No);
	let runtime_code =
		code.runtime_code().map_err(|e| Failure(format!("no runtime code in the state: {e}")))?;
	let mut overlay = OverlayedChanges::<BlakeTwo256>::default();
	let mut ext = sp_state_machine::Ext::new(&mut overlay, state, None);
	exec.runtime_version(&mut ext, &runtime_code)
		.map_err(|e| Failure(format!("cannot read the runtime's version: {e}")))
}

/// Calls `method` of the code at `:code` in `state`, or of `code` when given (the state is then
/// left as it is: a block's state root covers `:code`); returns the answer and the changes.
fn call(
	exec: &Executor,
	state: &State,
	code: Option<&[u8]>,
	method: &str,
	data: &[u8],
) -> Result<(Vec<u8>, OverlayedChanges<BlakeTwo256>), Failure> {
	let from_state = BackendRuntimeCode::new(state, TryPendingCode::No);
	let given = code.map(|c| WrappedRuntimeCode(c.into()));
	let runtime_code = match (&given, code) {
		(Some(fetcher), Some(c)) => RuntimeCode {
			code_fetcher: fetcher,
			heap_pages: None,
			hash: sp_crypto_hashing::blake2_256(c).to_vec(),
		},
		_ => from_state
			.runtime_code()
			.map_err(|e| Failure(format!("no runtime code in the state: {e}")))?,
	};
	let mut overlay = OverlayedChanges::default();
	let mut extensions = sp_externalities::Extensions::default();
	extensions.register(ReadRuntimeVersionExt::new(exec.clone()));
	let out = StateMachine::new(
		state,
		&mut overlay,
		exec,
		method,
		data,
		&mut extensions,
		&runtime_code,
		CallContext::Offchain,
	)
	.execute()
	.map_err(|e| Failure(format!("{method} failed: {e}")))?;
	Ok((out, overlay))
}

/// `Weight` as SCALE encodes it: two compact u64.
fn weight(bytes: &mut &[u8]) -> Result<(u64, u64), Failure> {
	let (Compact(r), Compact(p)) = <(Compact<u64>, Compact<u64>)>::decode(bytes)
		.map_err(|e| Failure(format!("cannot decode a weight: {e}")))?;
	Ok((r, p))
}

fn state_version(v: &sp_version::RuntimeVersion) -> StateVersion {
	v.state_version()
}

impl OnRuntimeUpgradeCmd {
	async fn run(&self) -> Result<(), Failure> {
		let new_code = read_wasm(&self.runtime)?;
		let (at, mut pairs) = load_state(&self.source).await?;
		let exec = executor();
		let old = version_of(&exec, &state_of(&pairs, StateVersion::V1))?;
		pairs.insert(well_known_keys::CODE.to_vec(), new_code);
		let sv = state_version(&old);
		let state = state_of(&pairs, sv);
		let new = version_of(&exec, &state)?;
		log::info!(
			target: "try-runtime",
			"upgrading {} {} -> {} {} at {at:?}",
			old.spec_name, old.spec_version, new.spec_name, new.spec_version
		);
		if new.spec_name != old.spec_name {
			return fail(format!(
				"the runtime is '{}', the chain runs '{}'",
				new.spec_name, old.spec_name
			));
		}
		if new.spec_version <= old.spec_version && !self.no_spec_version_check {
			return fail(format!(
				"spec_version {} does not go up from the chain's {}: nodes would not run the \
				 migrations (bump it, or pass --no-spec-version-check to check the same version)",
				new.spec_version, old.spec_version
			));
		}
		// The API id is the blake2-64 of the trait's name (sp-api's `decl_runtime_apis`).
		let try_runtime_api = sp_crypto_hashing::blake2_64(b"TryRuntime");
		if !new.apis.iter().any(|(id, _)| *id == try_runtime_api) {
			return fail(
				"the runtime has no TryRuntime API: build it with `scripts/build-runtime \
				 --features try-runtime`",
			);
		}
		let checks = match self.checks {
			Checks::None => UpgradeCheckSelect::None,
			Checks::All => UpgradeCheckSelect::All,
			Checks::PreAndPost => UpgradeCheckSelect::PreAndPost,
			Checks::TryState => UpgradeCheckSelect::TryState,
		};
		let started = Instant::now();
		let (out, mut overlay) =
			call(&exec, &state, None, "TryRuntime_on_runtime_upgrade", &checks.encode())?;
		let (used, max) = {
			let mut out = &out[..];
			(weight(&mut out)?, weight(&mut out)?)
		};
		let changes = overlay
			.drain_storage_changes(&state, sv)
			.map_err(|e| Failure(format!("cannot collect the migrations' changes: {e}")))?;
		let written = changes.main_storage_changes.len();
		log::info!(
			target: "try-runtime",
			"migrations ran in {:.2} s with checks {:?}: {written} keys written; weight \
			 ref_time {} ({:.2}% of a block), proof_size {} ({:.2}%)",
			started.elapsed().as_secs_f64(),
			self.checks,
			used.0,
			percent(used.0, max.0),
			used.1,
			percent(used.1, max.1)
		);
		if used.0 > max.0 || used.1 > max.1 {
			return fail(format!(
				"the migrations weigh more than a block ({used:?} > {max:?}): they would stall \
				 the chain; split them (multi-block migrations)"
			));
		}
		// Idempotency: on the migrated state a second run (no checks) writes nothing.
		let migrated = state.update(vec![(None, changes.main_storage_changes)], sv);
		let root = *migrated.root();
		let (_, mut again) = call(
			&exec,
			&migrated,
			None,
			"TryRuntime_on_runtime_upgrade",
			&UpgradeCheckSelect::None.encode(),
		)?;
		let (root_again, _) = again.storage_root(&migrated, sv);
		if root_again != root {
			let keys: Vec<String> = again
				.changes()
				.map(|(k, _)| sp_core::hexdisplay::HexDisplay::from(k).to_string())
				.take(5)
				.collect();
			return fail(format!(
				"the migrations are not idempotent: a second run changed the state again (keys \
				 {keys:?}); guard them with the storage version"
			));
		}
		println!(
			"on-runtime-upgrade: OK ({} {} -> {}, checks {:?}, {written} keys written, {:.2}% of \
			 a block's ref_time, idempotent)",
			new.spec_name,
			old.spec_version,
			new.spec_version,
			self.checks,
			percent(used.0, max.0)
		);
		Ok(())
	}
}

fn percent(a: u64, b: u64) -> f64 {
	if b == 0 {
		0.0
	} else {
		a as f64 * 100.0 / b as f64
	}
}

impl ExecuteBlockCmd {
	async fn run(&self) -> Result<(), Failure> {
		let code = read_wasm(&self.runtime)?;
		let client = connect(&self.uri).await?;
		let at = finalized_or(&client, self.at).await?;
		let block: serde_json::Value = rpc(&client, "chain_getBlock", rpc_params![at]).await?;
		let Some(block) = block.get("block") else {
			return fail(format!("the node does not know block {at:?}"));
		};
		let mut header: Header = serde_json::from_value(block["header"].clone())
			.map_err(|e| Failure(format!("cannot read the header of {at:?}: {e}")))?;
		let extrinsics: Vec<Bytes> = serde_json::from_value(block["extrinsics"].clone())
			.map_err(|e| Failure(format!("cannot read the extrinsics of {at:?}: {e}")))?;
		// The seal is added by the author after execution; the runtime never sees it.
		if matches!(header.digest().logs().last(), Some(DigestItem::Seal(..))) {
			header.digest_mut().pop();
		}
		let number = *header.number();
		let pairs = fetch_state(&client, *header.parent_hash()).await?;
		let exec = executor();
		let onchain = version_of(&exec, &state_of(&pairs, StateVersion::V1))?;
		let sv = state_version(&onchain);
		let state = state_of(&pairs, sv);
		let mine = {
			// The version of the runtime under test, read from a copy holding it at `:code`.
			let mut with_code = pairs.clone();
			with_code.insert(well_known_keys::CODE.to_vec(), code.clone());
			version_of(&exec, &state_of(&with_code, sv))?
		};
		if mine.spec_name != onchain.spec_name {
			return fail(format!(
				"the runtime is '{}', the chain runs '{}'",
				mine.spec_name, onchain.spec_name
			));
		}
		if mine.spec_version != onchain.spec_version {
			return fail(format!(
				"the runtime is spec_version {}, the block's parent ran {}: executing the block \
				 would run migrations the chain never ran (use on-runtime-upgrade for those)",
				mine.spec_version, onchain.spec_version
			));
		}
		// The block, encoded as `Block` is: header, then the extrinsics (each already encoded).
		let mut data = header.encode();
		Compact(extrinsics.len() as u32).encode_to(&mut data);
		for x in &extrinsics {
			data.extend_from_slice(&x.0);
		}
		let select = if self.no_try_state { TryStateSelect::None } else { TryStateSelect::All };
		(true, true, select).encode_to(&mut data);
		let started = Instant::now();
		// The on-chain `:code` stays in the state (the block's state root covers it); the runtime
		// under test is passed to the executor instead.
		let (out, _) = call(&exec, &state, Some(&code), "TryRuntime_execute_block", &data)?;
		let used = weight(&mut &out[..])?;
		println!(
			"execute-block: OK (block #{number} {at:?}, {} extrinsics, spec_version {} on chain, \
			 {} tried; state root and signatures checked{}; weight ref_time {}, {:.2} s)",
			extrinsics.len(),
			onchain.spec_version,
			mine.spec_version,
			if self.no_try_state { "" } else { ", try_state of every pallet" },
			used.0,
			started.elapsed().as_secs_f64()
		);
		Ok(())
	}
}

impl CreateSnapshotCmd {
	async fn run(&self) -> Result<(), Failure> {
		let client = connect(&self.uri).await?;
		let at = finalized_or(&client, self.at).await?;
		let pairs = fetch_state(&client, at).await?;
		write_snapshot(&self.out, at, &pairs)?;
		println!("snapshot of {at:?}: {} keys written to {}", pairs.len(), self.out.display());
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn selects_encode_like_frame_support() {
		// frame-support: UpgradeCheckSelect { None, All, PreAndPost, TryState } and
		// TryStateSelect { None, All, RoundRobin(u32), Only(Vec<Vec<u8>>), .. }.
		assert_eq!(UpgradeCheckSelect::All.encode(), vec![1]);
		assert_eq!(UpgradeCheckSelect::TryState.encode(), vec![3]);
		assert_eq!(TryStateSelect::All.encode(), vec![1]);
		assert_eq!(TryStateSelect::RoundRobin(2).encode(), vec![2, 2, 0, 0, 0]);
	}

	#[test]
	fn snapshot_round_trips_and_refuses_other_files() {
		let dir = std::env::temp_dir().join(format!("hc-snap-{}", std::process::id()));
		let path = dir.with_extension("snap");
		let pairs: BTreeMap<Vec<u8>, Vec<u8>> =
			[(b":code".to_vec(), vec![0, 1, 2]), (vec![7; 32], vec![9; 100])].into();
		let at = H256::repeat_byte(4);
		write_snapshot(&path, at, &pairs).expect("written");
		assert_eq!(read_snapshot(&path).ok(), Some((at, pairs)));
		std::fs::write(&path, b"not a snapshot").expect("written");
		let refused = read_snapshot(&path).err().map(|e| e.0).unwrap_or_default();
		assert!(refused.contains("is not a version-1 snapshot"), "{refused}");
		let _ = std::fs::remove_file(&path);
	}
}
