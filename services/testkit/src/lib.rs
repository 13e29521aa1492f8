//! Test harness shared by the services' integration tests: a dev node on free ports, a
//! throwaway database (SQLite file or a fresh PostgreSQL database), waiting with a limit.
//!
//! Needs `HEALTHCHAIN_NODE` (the node binary; scripts/test builds it) and, for PostgreSQL,
//! `HC_TEST_POSTGRES_URL` (an admin URL of a throwaway server that scripts/test starts). A
//! missing one fails the test with a sentence saying so.
#![allow(clippy::unwrap_used)]

use std::{
	net::TcpListener,
	path::PathBuf,
	process::{Child, Command, Stdio},
	time::{Duration, Instant},
};

pub fn free_port() -> u16 {
	TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

pub fn temp_dir(tag: &str) -> PathBuf {
	let dir = std::env::temp_dir().join(format!("hc-{tag}-{}-{}", std::process::id(), free_port()));
	std::fs::create_dir_all(&dir).expect("temp dir");
	dir
}

/// A child process killed on drop.
pub struct Proc(pub Child);

impl Drop for Proc {
	fn drop(&mut self) {
		let _ = self.0.kill();
		let _ = self.0.wait();
	}
}

/// A dev node on `port` (a fresh chain in a temp dir).
pub fn start_node(port: u16) -> Proc {
	start_node_with(port, None)
}

/// A dev node on `port` keeping its chain in `base` (`None`: a fresh chain in a temp dir);
/// started again on the same `base`, it continues the same chain.
pub fn start_node_with(port: u16, base: Option<&std::path::Path>) -> Proc {
	let bin = std::env::var("HEALTHCHAIN_NODE").expect(
        "HEALTHCHAIN_NODE must point at the healthchain-node binary (scripts/test sets it; build with cargo build --release -p healthchain-node)",
    );
	let log = std::fs::File::create(temp_dir("node").join("node.log")).expect("log");
	let base_args: Vec<String> = match base {
		Some(b) => vec!["--base-path".into(), b.display().to_string()],
		None => vec!["--tmp".into()],
	};
	let child = Command::new(bin)
		.args(&base_args)
		.args([
			"--dev",
			"--rpc-port",
			&port.to_string(),
			"--no-prometheus",
			"--no-telemetry",
			"--port",
			&free_port().to_string(),
		])
		.stdout(Stdio::null())
		.stderr(log)
		.spawn()
		.expect("start the node");
	let proc = Proc(child);
	wait_until(Duration::from_secs(60), "the dev node's RPC", || {
		std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
	});
	proc
}

/// Which database a gateway test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
	Sqlite,
	Postgres,
}

/// A fresh database URL for one gateway.
/// A fresh database URL (`file` names the SQLite file).
pub async fn database_url_named(db: Db, tag: &str, file: &str) -> String {
	match db {
		Db::Sqlite => format!("sqlite://{}/{file}.db?mode=rwc", temp_dir(tag).display()),
		Db::Postgres => {
			let admin = std::env::var("HC_TEST_POSTGRES_URL").expect(
                "HC_TEST_POSTGRES_URL must be the URL of a throwaway PostgreSQL (scripts/test starts one: see scripts/postgres-throwaway)",
            );
			let name = format!("{file}_{}_{}", tag.replace('-', "_"), free_port());
			sqlx::any::install_default_drivers();
			let pool = sqlx::AnyPool::connect(&admin).await.expect("connect to PostgreSQL");
			sqlx::query(&format!("CREATE DATABASE {name}"))
				.execute(&pool)
				.await
				.expect("create database");
			pool.close().await;
			let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin);
			format!("{base}/{name}")
		}
	}
}

pub fn wait_until(limit: Duration, what: &str, mut f: impl FnMut() -> bool) {
	let start = Instant::now();
	while start.elapsed() < limit {
		if f() {
			return;
		}
		std::thread::sleep(Duration::from_millis(100));
	}
	panic!("{what} not ready after {limit:?}");
}

/// The account of a secret URI (`//Alice`, ...).
pub fn account_of(suri: &str) -> healthchain_chain::AccountId32 {
	healthchain_chain::Signer::from_suri(suri, None).expect("signer").organisation()
}

/// Submit a call signed by `suri` and wait until its block is finalized (at most 120 s);
/// the block number. A call the chain refuses fails the test with the error's name.
pub async fn submit_finalized<P: healthchain_chain::subxt::tx::Payload>(
	chain: &healthchain_chain::Chain,
	suri: &str,
	payload: &P,
) -> u64 {
	use healthchain_chain::{healthchain, Signer, Submitter};
	let submitter = Submitter::new(Signer::from_suri(suri, None).expect("signer"));
	let progress =
		submitter.submit(chain, payload, || unreachable!("not a proxy")).await.expect("submitted");
	let (block, events) = healthchain_chain::wait_in_block(progress, Duration::from_secs(60))
		.await
		.expect("in block");
	if let Some(Ok(f)) = events.find_first::<healthchain::system::events::ExtrinsicFailed>() {
		panic!("the call by {suri} failed: {}", chain.describe_dispatch_error(&f.dispatch_error));
	}
	assert!(
		events.find_first::<healthchain::system::events::ExtrinsicSuccess>().is_some(),
		"the call by {suri} did not succeed"
	);
	let n = chain.block_number(block).await.expect("number");
	let start = Instant::now();
	while chain.finalized_head().await.expect("head").0 < n {
		assert!(start.elapsed() < Duration::from_secs(120), "block {n} not finalized");
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	n
}
