//! The gateway's store: SQLite (embedded, the default) or PostgreSQL, one code path through
//! sqlx's `Any` driver, schema by sqlx migrations (one directory per backend, same tables).
//!
//! Every write (the resource, its new version with content, salt and digest, and the outbox
//! entry that will anchor it) commits in **one transaction before the HTTP response**; SQLite
//! runs in WAL mode with `synchronous=FULL`, so an acknowledged write survives a crash or a
//! power cut. A retraction erases the content and salt of every version in the same
//! transaction that queues the on-chain tombstone.

use sqlx::{
	any::{AnyPoolOptions, AnyRow},
	AnyPool, Executor, Row,
};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::Mutex;

use crate::error::GatewayError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
	Sqlite,
	Postgres,
}

/// The store.
pub struct Store {
	pool: AnyPool,
	backend: Backend,
	/// SQLite has one writer at a time: writes queue here instead of failing as busy.
	write_lock: std::sync::Arc<Mutex<()>>,
	/// Exchange outcomes go to the group committer (one transaction for all waiting).
	committer: tokio::sync::mpsc::Sender<Commit>,
}

/// One exchange outcome waiting for the group committer, and whom to tell.
struct Commit {
	nonce: Option<(Vec<u8>, String, i64)>,
	events: Vec<(AuditRow, Option<NewDisclosure>)>,
	done: tokio::sync::oneshot::Sender<Result<bool, String>>,
}

/// A resource's row.
#[derive(Clone, Debug)]
pub struct ResourceRow {
	pub resource_type: String,
	pub id: String,
	pub local_id: Vec<u8>,
	pub record_id: Vec<u8>,
	pub patient: String,
	pub subject: Vec<u8>,
	pub scope: i64,
	pub kind: i64,
	pub current_version: i64,
	pub deleted: bool,
}

/// A version's row.
#[derive(Clone, Debug)]
pub struct VersionRow {
	pub resource_type: String,
	pub id: String,
	pub version: i64,
	pub op: String,
	pub content: Option<String>,
	pub salt: Option<Vec<u8>>,
	pub digest: Option<Vec<u8>>,
	pub last_updated: String,
	pub anchor_state: String,
	pub block_number: Option<i64>,
	pub block_hash: Option<Vec<u8>>,
	pub anchor_error: Option<String>,
	pub created_ms: i64,
	pub finalized_ms: Option<i64>,
}

/// A new version to write.
pub struct NewVersion<'a> {
	pub op: &'a str,
	pub content: Option<&'a str>,
	pub salt: Option<&'a [u8]>,
	pub digest: Option<&'a [u8]>,
	pub last_updated: &'a str,
	pub retract_reason: Option<&'a str>,
}

/// One outbox entry with what anchoring it needs.
#[derive(Clone, Debug)]
pub struct OutboxItem {
	pub seq: i64,
	pub resource_type: String,
	pub id: String,
	pub version: i64,
	pub op: String,
	pub record_id: Vec<u8>,
	pub local_id: Vec<u8>,
	pub subject: Vec<u8>,
	pub scope: i64,
	pub kind: i64,
	pub digest: Option<Vec<u8>>,
	pub retract_reason: Option<String>,
	pub attempts: i64,
	pub created_ms: i64,
	/// Whether it was ever submitted (then the chain may hold it already).
	pub submitted: bool,
}

/// A version waiting for finality.
#[derive(Clone, Debug)]
pub struct InBlock {
	pub resource_type: String,
	pub id: String,
	pub version: i64,
	pub block_number: i64,
	pub block_hash: Vec<u8>,
}

/// Counts for `/metrics` and `/health`.
#[derive(Clone, Debug, Default)]
pub struct Stats {
	pub outbox_depth: i64,
	pub pending: i64,
	pub in_block: i64,
	pub finalized: i64,
	pub failed: i64,
	pub oldest_outbox_ms: Option<i64>,
}

pub fn now_ms() -> i64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn resource_row(r: &AnyRow) -> Result<ResourceRow, sqlx::Error> {
	Ok(ResourceRow {
		resource_type: r.try_get("resource_type")?,
		id: r.try_get("id")?,
		local_id: r.try_get("local_id")?,
		record_id: r.try_get("record_id")?,
		patient: r.try_get("patient")?,
		subject: r.try_get("subject")?,
		scope: r.try_get("scope")?,
		kind: r.try_get("kind")?,
		current_version: r.try_get("current_version")?,
		deleted: r.try_get::<i64, _>("deleted")? != 0,
	})
}

fn version_row(r: &AnyRow) -> Result<VersionRow, sqlx::Error> {
	Ok(VersionRow {
		resource_type: r.try_get("resource_type")?,
		id: r.try_get("id")?,
		version: r.try_get("version")?,
		op: r.try_get("op")?,
		content: r.try_get("content")?,
		salt: r.try_get("salt")?,
		digest: r.try_get("digest")?,
		last_updated: r.try_get("last_updated")?,
		anchor_state: r.try_get("anchor_state")?,
		block_number: r.try_get("block_number")?,
		block_hash: r.try_get("block_hash")?,
		anchor_error: r.try_get("anchor_error")?,
		created_ms: r.try_get("created_ms")?,
		finalized_ms: r.try_get("finalized_ms")?,
	})
}

const RESOURCE_COLS: &str = "resource_type, id, local_id, record_id, patient, subject, scope, kind, current_version, deleted";
const VERSION_COLS: &str = "resource_type, id, version, op, content, salt, digest, last_updated, anchor_state, block_number, block_hash, anchor_error, created_ms, finalized_ms";

impl Store {
	/// Open (creating when needed) the database at `url` and bring its schema up to date.
	pub async fn open(url: &str) -> Result<Self, GatewayError> {
		sqlx::any::install_default_drivers();
		let backend = if url.starts_with("sqlite:") {
			Backend::Sqlite
		} else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
			Backend::Postgres
		} else {
			return Err(GatewayError::Config(format!(
				"database_url must start with sqlite: or postgres:, not {url:?}"
			)));
		};
		let mut options = AnyPoolOptions::new().max_connections(match backend {
			Backend::Sqlite => 4,
			Backend::Postgres => 16,
		});
		if backend == Backend::Sqlite {
			options = options.after_connect(|conn, _meta| {
				Box::pin(async move {
					// WAL + FULL: a committed transaction is on disk before the commit returns.
					conn.execute("PRAGMA journal_mode = WAL").await?;
					conn.execute("PRAGMA synchronous = FULL").await?;
					conn.execute("PRAGMA busy_timeout = 10000").await?;
					Ok(())
				})
			});
		}
		let pool = options.connect(url).await.map_err(GatewayError::Database)?;
		match backend {
			Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await,
			Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await,
		}
		.map_err(|e| GatewayError::Config(format!("database migration failed: {e}")))?;
		let write_lock = std::sync::Arc::new(Mutex::new(()));
		let (committer, queue) = tokio::sync::mpsc::channel(4096);
		tokio::spawn(group_commit(pool.clone(), backend, write_lock.clone(), queue));
		Ok(Self { pool, backend, write_lock, committer })
	}

	pub fn backend(&self) -> Backend {
		self.backend
	}

	pub async fn close(&self) {
		self.pool.close().await;
	}

	async fn write_guard(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
		match self.backend {
			Backend::Sqlite => Some(self.write_lock.lock().await),
			Backend::Postgres => None,
		}
	}

	/// The value recorded under `name` in the identity table, recording `value` when there is
	/// none yet; `Ok(Err(stored))` when another value was recorded.
	pub async fn claim_identity(
		&self,
		name: &str,
		value: &[u8],
	) -> Result<Result<(), Vec<u8>>, GatewayError> {
		let _guard = self.write_guard().await;
		sqlx::query(
			"INSERT INTO identity (name, value) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM identity WHERE name = $1)",
		)
		.bind(name)
		.bind(value.to_vec())
		.execute(&self.pool)
		.await?;
		let stored: Vec<u8> = sqlx::query("SELECT value FROM identity WHERE name = $1")
			.bind(name)
			.fetch_one(&self.pool)
			.await?
			.try_get("value")?;
		Ok(if stored == value { Ok(()) } else { Err(stored) })
	}

	/// Whether the database answers.
	pub async fn ping(&self) -> bool {
		sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
	}

	/// A resource's row.
	pub async fn resource(
		&self,
		rtype: &str,
		id: &str,
	) -> Result<Option<ResourceRow>, GatewayError> {
		let row = sqlx::query(&format!(
			"SELECT {RESOURCE_COLS} FROM resources WHERE resource_type = $1 AND id = $2"
		))
		.bind(rtype)
		.bind(id)
		.fetch_optional(&self.pool)
		.await?;
		Ok(row.as_ref().map(resource_row).transpose()?)
	}

	/// A resource by its on-chain record id.
	pub async fn resource_by_record(
		&self,
		record_id: &[u8],
	) -> Result<Option<ResourceRow>, GatewayError> {
		let row =
			sqlx::query(&format!("SELECT {RESOURCE_COLS} FROM resources WHERE record_id = $1"))
				.bind(record_id.to_vec())
				.fetch_optional(&self.pool)
				.await?;
		Ok(row.as_ref().map(resource_row).transpose()?)
	}

	/// One version.
	pub async fn version(
		&self,
		rtype: &str,
		id: &str,
		version: i64,
	) -> Result<Option<VersionRow>, GatewayError> {
		let row = sqlx::query(&format!(
            "SELECT {VERSION_COLS} FROM versions WHERE resource_type = $1 AND id = $2 AND version = $3"
        ))
        .bind(rtype)
        .bind(id)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
		Ok(row.as_ref().map(version_row).transpose()?)
	}

	/// Every version of a resource, newest first.
	pub async fn history(&self, rtype: &str, id: &str) -> Result<Vec<VersionRow>, GatewayError> {
		let rows = sqlx::query(&format!(
            "SELECT {VERSION_COLS} FROM versions WHERE resource_type = $1 AND id = $2 ORDER BY version DESC"
        ))
        .bind(rtype)
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
		Ok(rows.iter().map(version_row).collect::<Result<_, _>>()?)
	}

	/// Current versions of the live resources of `rtype` about `patient`, by id; and the
	/// total count.
	pub async fn search(
		&self,
		rtype: &str,
		patient: &str,
		offset: i64,
		count: i64,
	) -> Result<(Vec<VersionRow>, i64), GatewayError> {
		let total: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM resources WHERE resource_type = $1 AND patient = $2 AND deleted = 0",
        )
        .bind(rtype)
        .bind(patient)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
		let rows = sqlx::query("SELECT v.resource_type AS resource_type, v.id AS id, v.version AS version, v.op AS op, v.content AS content, \
             v.salt AS salt, v.digest AS digest, v.last_updated AS last_updated, v.anchor_state AS anchor_state, \
             v.block_number AS block_number, v.block_hash AS block_hash, v.anchor_error AS anchor_error, \
             v.created_ms AS created_ms, v.finalized_ms AS finalized_ms \
             FROM resources r JOIN versions v ON v.resource_type = r.resource_type AND v.id = r.id AND v.version = r.current_version \
             WHERE r.resource_type = $1 AND r.patient = $2 AND r.deleted = 0 ORDER BY r.id LIMIT $3 OFFSET $4")
        .bind(rtype)
        .bind(patient)
        .bind(count)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
		Ok((rows.iter().map(version_row).collect::<Result<_, _>>()?, total))
	}

	/// Create a resource with its version 1 and its outbox entry, in one transaction.
	/// `Ok(false)` when the id is taken.
	pub async fn create(
		&self,
		res: &ResourceRow,
		v: &NewVersion<'_>,
	) -> Result<bool, GatewayError> {
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		let inserted = sqlx::query(
            "INSERT INTO resources (resource_type, id, local_id, record_id, patient, subject, scope, kind, current_version, deleted) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, 1, 0 \
             WHERE NOT EXISTS (SELECT 1 FROM resources WHERE resource_type = $1 AND id = $2)",
        )
        .bind(&res.resource_type)
        .bind(&res.id)
        .bind(res.local_id.clone())
        .bind(res.record_id.clone())
        .bind(&res.patient)
        .bind(res.subject.clone())
        .bind(res.scope)
        .bind(res.kind)
        .execute(&mut *tx)
        .await?
        .rows_affected();
		if inserted == 0 {
			tx.rollback().await?;
			return Ok(false);
		}
		Self::insert_version(&mut tx, &res.resource_type, &res.id, 1, v).await?;
		tx.commit().await?;
		Ok(true)
	}

	/// Add version `expected + 1` of a live resource (its outbox entry in the same
	/// transaction). `Ok(false)` when the current version is no longer `expected` (a
	/// concurrent update) or the resource was deleted.
	pub async fn add_version(
		&self,
		rtype: &str,
		id: &str,
		expected: i64,
		v: &NewVersion<'_>,
		erase: bool,
	) -> Result<bool, GatewayError> {
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		let new_version = expected + 1;
		let updated = sqlx::query(
			"UPDATE resources SET current_version = $1, deleted = $2 \
             WHERE resource_type = $3 AND id = $4 AND current_version = $5 AND deleted = 0",
		)
		.bind(new_version)
		.bind(if erase { 1i64 } else { 0i64 })
		.bind(rtype)
		.bind(id)
		.bind(expected)
		.execute(&mut *tx)
		.await?
		.rows_affected();
		if updated == 0 {
			tx.rollback().await?;
			return Ok(false);
		}
		if erase {
			// GDPR Art. 17: the content and salt of every version go with the retraction.
			sqlx::query("UPDATE versions SET content = NULL, salt = NULL WHERE resource_type = $1 AND id = $2")
                .bind(rtype)
                .bind(id)
                .execute(&mut *tx)
                .await?;
		}
		Self::insert_version(&mut tx, rtype, id, new_version, v).await?;
		tx.commit().await?;
		Ok(true)
	}

	async fn insert_version(
		tx: &mut sqlx::Transaction<'_, sqlx::Any>,
		rtype: &str,
		id: &str,
		version: i64,
		v: &NewVersion<'_>,
	) -> Result<(), GatewayError> {
		let chain_version: Option<i64> = (v.op != "retract").then_some(version);
		sqlx::query(
            "INSERT INTO versions (resource_type, id, version, op, content, salt, digest, chain_version, last_updated, anchor_state, retract_reason, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11)",
        )
        .bind(rtype)
        .bind(id)
        .bind(version)
        .bind(v.op)
        .bind(v.content.map(str::to_string))
        .bind(v.salt.map(<[u8]>::to_vec))
        .bind(v.digest.map(<[u8]>::to_vec))
        .bind(chain_version)
        .bind(v.last_updated)
        .bind(v.retract_reason.map(str::to_string))
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
		sqlx::query(
            "INSERT INTO outbox (resource_type, id, version, created_ms, attempts) VALUES ($1, $2, $3, $4, 0)",
        )
        .bind(rtype)
        .bind(id)
        .bind(version)
        .bind(now_ms())
        .execute(&mut **tx)
        .await?;
		Ok(())
	}

	/// The oldest `limit` outbox entries still waiting for a block (in write order).
	pub async fn outbox_pending(&self, limit: i64) -> Result<Vec<OutboxItem>, GatewayError> {
		let rows = sqlx::query(
            "SELECT o.seq AS seq, o.resource_type AS resource_type, o.id AS id, o.version AS version, v.op AS op, \
             r.record_id AS record_id, r.local_id AS local_id, r.subject AS subject, r.scope AS scope, r.kind AS kind, \
             v.digest AS digest, v.retract_reason AS retract_reason, o.attempts AS attempts, o.created_ms AS created_ms, \
             o.submitted_ms AS submitted_ms \
             FROM outbox o \
             JOIN versions v ON v.resource_type = o.resource_type AND v.id = o.id AND v.version = o.version \
             JOIN resources r ON r.resource_type = o.resource_type AND r.id = o.id \
             WHERE v.anchor_state = 'pending' ORDER BY o.seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
		rows.iter()
			.map(|r| {
				Ok(OutboxItem {
					seq: r.try_get("seq")?,
					resource_type: r.try_get("resource_type")?,
					id: r.try_get("id")?,
					version: r.try_get("version")?,
					op: r.try_get("op")?,
					record_id: r.try_get("record_id")?,
					local_id: r.try_get("local_id")?,
					subject: r.try_get("subject")?,
					scope: r.try_get("scope")?,
					kind: r.try_get("kind")?,
					digest: r.try_get("digest")?,
					retract_reason: r.try_get("retract_reason")?,
					attempts: r.try_get("attempts")?,
					created_ms: r.try_get("created_ms")?,
					submitted: r.try_get::<Option<i64>, _>("submitted_ms")?.is_some(),
				})
			})
			.collect::<Result<_, sqlx::Error>>()
			.map_err(GatewayError::Database)
	}

	/// These entries are about to be submitted (recorded first: a restart reconciles them).
	pub async fn mark_submitted(&self, seqs: &[i64]) -> Result<(), GatewayError> {
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		let now = now_ms();
		for seq in seqs {
			sqlx::query("UPDATE outbox SET submitted_ms = $1 WHERE seq = $2")
				.bind(now)
				.bind(*seq)
				.execute(&mut *tx)
				.await?;
		}
		tx.commit().await?;
		Ok(())
	}

	/// Count one more submission of these entries.
	pub async fn count_attempt(&self, seqs: &[i64]) -> Result<(), GatewayError> {
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		for seq in seqs {
			sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE seq = $1")
				.bind(*seq)
				.execute(&mut *tx)
				.await?;
		}
		tx.commit().await?;
		Ok(())
	}

	/// The version is in block `number` (`hash`) of the best chain.
	pub async fn mark_in_block(
		&self,
		rtype: &str,
		id: &str,
		version: i64,
		number: i64,
		hash: &[u8],
	) -> Result<(), GatewayError> {
		self.mark_in_block_many(&[(rtype.to_string(), id.to_string(), version)], number, hash).await
	}

	/// These versions are in block `number` (`hash`) of the best chain (one transaction).
	pub async fn mark_in_block_many(
		&self,
		items: &[(String, String, i64)],
		number: i64,
		hash: &[u8],
	) -> Result<(), GatewayError> {
		if items.is_empty() {
			return Ok(());
		}
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		for (rtype, id, version) in items {
			sqlx::query(
				"UPDATE versions SET anchor_state = 'in_block', block_number = $1, block_hash = $2, anchor_error = NULL \
				 WHERE resource_type = $3 AND id = $4 AND version = $5",
			)
			.bind(number)
			.bind(hash.to_vec())
			.bind(rtype)
			.bind(id)
			.bind(*version)
			.execute(&mut *tx)
			.await?;
		}
		tx.commit().await?;
		Ok(())
	}

	/// These versions' blocks are finalized: done, their outbox entries go (one transaction).
	pub async fn mark_finalized_many(&self, items: &[InBlock]) -> Result<(), GatewayError> {
		if items.is_empty() {
			return Ok(());
		}
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		let now = now_ms();
		for item in items {
			sqlx::query(
				"UPDATE versions SET anchor_state = 'finalized', finalized_ms = $4 WHERE resource_type = $1 AND id = $2 AND version = $3",
			)
			.bind(&item.resource_type)
			.bind(&item.id)
			.bind(item.version)
			.bind(now)
			.execute(&mut *tx)
			.await?;
			sqlx::query("DELETE FROM outbox WHERE resource_type = $1 AND id = $2 AND version = $3")
				.bind(&item.resource_type)
				.bind(&item.id)
				.bind(item.version)
				.execute(&mut *tx)
				.await?;
		}
		tx.commit().await?;
		Ok(())
	}

	/// The chain refused this version for good (and so every later version of the resource).
	pub async fn mark_failed(
		&self,
		rtype: &str,
		id: &str,
		version: i64,
		error: &str,
	) -> Result<(), GatewayError> {
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		sqlx::query(
			"UPDATE versions SET anchor_state = 'failed', anchor_error = $1 \
             WHERE resource_type = $2 AND id = $3 AND version >= $4 AND anchor_state = 'pending'",
		)
		.bind(error)
		.bind(rtype)
		.bind(id)
		.bind(version)
		.execute(&mut *tx)
		.await?;
		sqlx::query("DELETE FROM outbox WHERE resource_type = $1 AND id = $2 AND version >= $3")
			.bind(rtype)
			.bind(id)
			.bind(version)
			.execute(&mut *tx)
			.await?;
		tx.commit().await?;
		Ok(())
	}

	/// Versions in a block at or below `number`, waiting for finality.
	pub async fn in_block_upto(&self, number: i64) -> Result<Vec<InBlock>, GatewayError> {
		let rows = sqlx::query(
			"SELECT resource_type, id, version, block_number, block_hash FROM versions \
             WHERE anchor_state = 'in_block' AND block_number <= $1 ORDER BY block_number",
		)
		.bind(number)
		.fetch_all(&self.pool)
		.await?;
		rows.iter()
			.map(|r| {
				Ok(InBlock {
					resource_type: r.try_get("resource_type")?,
					id: r.try_get("id")?,
					version: r.try_get("version")?,
					block_number: r.try_get("block_number")?,
					block_hash: r.try_get("block_hash")?,
				})
			})
			.collect::<Result<_, sqlx::Error>>()
			.map_err(GatewayError::Database)
	}

	/// The version's block left the best chain before finality: back to pending (the
	/// anchorer finds it again from chain state, or anchors it again).
	pub async fn mark_pending(&self, item: &InBlock) -> Result<(), GatewayError> {
		let _guard = self.write_guard().await;
		sqlx::query(
			"UPDATE versions SET anchor_state = 'pending', block_number = NULL, block_hash = NULL \
             WHERE resource_type = $1 AND id = $2 AND version = $3",
		)
		.bind(&item.resource_type)
		.bind(&item.id)
		.bind(item.version)
		.execute(&self.pool)
		.await?;
		Ok(())
	}

	/// Counts for metrics and health.
	pub async fn stats(&self) -> Result<Stats, GatewayError> {
		let mut s = Stats::default();
		let rows =
			sqlx::query("SELECT anchor_state, COUNT(*) AS n FROM versions GROUP BY anchor_state")
				.fetch_all(&self.pool)
				.await?;
		for r in rows {
			let state: String = r.try_get("anchor_state")?;
			let n: i64 = r.try_get("n")?;
			match state.as_str() {
				"pending" => s.pending = n,
				"in_block" => s.in_block = n,
				"finalized" => s.finalized = n,
				"failed" => s.failed = n,
				_ => {}
			}
		}
		let r = sqlx::query("SELECT COUNT(*) AS n, MIN(created_ms) AS oldest FROM outbox")
			.fetch_one(&self.pool)
			.await?;
		s.outbox_depth = r.try_get("n")?;
		s.oldest_outbox_ms = r.try_get("oldest")?;
		Ok(s)
	}
}

// ---- organisation-to-organisation exchange ----

/// One AuditEvent of the exchange (a release, a denial, a subscription, a retrieval).
#[derive(Clone, Debug, Default)]
pub struct AuditRow {
	pub id: String,
	pub recorded_ms: i64,
	/// `read`, `search-type`, `subscribe` or `retrieve`.
	pub interaction: String,
	/// 0 released/allowed, 4 denied, 8 failed (the chain unreachable).
	pub outcome: i64,
	pub outcome_desc: Option<String>,
	pub requester: Option<Vec<u8>>,
	pub signer: Option<Vec<u8>>,
	pub purpose: Option<String>,
	pub resource_type: Option<String>,
	pub resource_id: Option<String>,
	pub version: Option<i64>,
	pub record_id: Option<Vec<u8>>,
	pub patient: Option<Vec<u8>>,
	pub basis: Option<String>,
	pub checked_at: Option<i64>,
	/// Filled when read back: the disclosure of a release and where it is on chain.
	pub disclosure: Option<DisclosureRow>,
}

/// A release this organisation must record on chain (`consent.recordDisclosures`).
#[derive(Clone, Debug)]
pub struct NewDisclosure {
	pub recipient: Vec<u8>,
	pub patient: Vec<u8>,
	pub record_id: Vec<u8>,
	/// The chain's `Purpose` index (Treatment 0, Payment 1, Operations 2, Research 3).
	pub purpose: i64,
	pub checked_at: i64,
}

/// A disclosure and its progress to the chain.
#[derive(Clone, Debug)]
pub struct DisclosureRow {
	pub seq: i64,
	pub recipient: Vec<u8>,
	pub patient: Vec<u8>,
	pub record_id: Vec<u8>,
	pub purpose: i64,
	pub checked_at: i64,
	pub created_ms: i64,
	pub state: String,
	pub submitted_block: Option<i64>,
	pub block_number: Option<i64>,
	pub block_hash: Option<Vec<u8>>,
	pub extrinsic_index: Option<i64>,
	pub error: Option<String>,
	pub finalized_ms: Option<i64>,
}

/// A verified copy received from another organisation.
#[derive(Clone, Debug)]
pub struct Received {
	pub custodian: Vec<u8>,
	pub resource_type: String,
	pub id: String,
	pub version: i64,
	pub record_id: Vec<u8>,
	pub patient: Vec<u8>,
	pub content: String,
	pub salt: Vec<u8>,
	pub digest: Vec<u8>,
	pub verified_block: i64,
	pub verified_hash: Vec<u8>,
	pub purpose: String,
	pub basis: Option<String>,
	pub source_audit: Option<String>,
}

/// Disclosure counts by state (for /health and /metrics).
#[derive(Clone, Debug, Default)]
pub struct DisclosureStats {
	pub pending: i64,
	pub in_block: i64,
	pub finalized: i64,
	pub failed: i64,
	pub oldest_pending_ms: Option<i64>,
}

const DISCLOSURE_COLS: &str = "seq, recipient, patient, record_id, purpose, checked_at, created_ms, state, submitted_block, block_number, block_hash, extrinsic_index, error, finalized_ms";

fn disclosure_row(r: &AnyRow) -> Result<DisclosureRow, sqlx::Error> {
	Ok(DisclosureRow {
		seq: r.try_get("seq")?,
		recipient: r.try_get("recipient")?,
		patient: r.try_get("patient")?,
		record_id: r.try_get("record_id")?,
		purpose: r.try_get("purpose")?,
		checked_at: r.try_get("checked_at")?,
		created_ms: r.try_get("created_ms")?,
		state: r.try_get("state")?,
		submitted_block: r.try_get("submitted_block")?,
		block_number: r.try_get("block_number")?,
		block_hash: r.try_get("block_hash")?,
		extrinsic_index: r.try_get("extrinsic_index")?,
		error: r.try_get("error")?,
		finalized_ms: r.try_get("finalized_ms")?,
	})
}

impl Store {
	/// Live resources of `rtype` whose chain subject is `subject`, by id (a page).
	pub async fn search_subject(
		&self,
		rtype: &str,
		subject: &[u8],
		offset: i64,
		count: i64,
	) -> Result<Vec<ResourceRow>, GatewayError> {
		let rows = sqlx::query(&format!(
			"SELECT {RESOURCE_COLS} FROM resources WHERE resource_type = $1 AND subject = $2 AND deleted = 0 \
			 ORDER BY id LIMIT $3 OFFSET $4"
		))
		.bind(rtype)
		.bind(subject.to_vec())
		.bind(count)
		.bind(offset)
		.fetch_all(&self.pool)
		.await?;
		Ok(rows.iter().map(resource_row).collect::<Result<_, _>>()?)
	}

	/// The latest version of a resource whose anchor is finalized (what may be released: the
	/// recipient can verify it against the chain).
	pub async fn latest_finalized(
		&self,
		rtype: &str,
		id: &str,
	) -> Result<Option<VersionRow>, GatewayError> {
		let row = sqlx::query(&format!(
			"SELECT {VERSION_COLS} FROM versions WHERE resource_type = $1 AND id = $2 \
			 AND anchor_state = 'finalized' AND op <> 'retract' ORDER BY version DESC LIMIT 1"
		))
		.bind(rtype)
		.bind(id)
		.fetch_optional(&self.pool)
		.await?;
		Ok(row.as_ref().map(version_row).transpose()?)
	}

	/// Commit an exchange request's outcome durably before its response: its nonce (`signer`,
	/// `nonce`, `created`), its AuditEvents and, for each release, the disclosure to record on
	/// chain, all or nothing. `Ok(false)` (nothing written) when the nonce was used before: a
	/// replay. Outcomes arriving together share one transaction (group commit: one sync to
	/// disk for all of them; each is still all or nothing, and none is answered before the
	/// commit).
	pub async fn commit_exchange(
		&self,
		nonce: Option<(&[u8], &str, i64)>,
		events: &[(AuditRow, Option<NewDisclosure>)],
	) -> Result<bool, GatewayError> {
		let (done, answer) = tokio::sync::oneshot::channel();
		let commit = Commit {
			nonce: nonce.map(|(s, n, c)| (s.to_vec(), n.to_string(), c)),
			events: events.to_vec(),
			done,
		};
		self.committer
			.send(commit)
			.await
			.map_err(|_| GatewayError::Internal("the group committer stopped".into()))?;
		answer
			.await
			.map_err(|_| GatewayError::Internal("the group committer stopped".into()))?
			.map_err(|e| GatewayError::Internal(format!("committing the exchange outcome: {e}")))
	}

	/// AuditEvents, newest first, filtered by patient, requesting organisation and outcome;
	/// and whether there are more.
	pub async fn audit_events(
		&self,
		id: Option<&str>,
		patient: Option<&[u8]>,
		requester: Option<&[u8]>,
		outcome: Option<i64>,
		offset: i64,
		count: i64,
	) -> Result<Vec<AuditRow>, GatewayError> {
		let mut sql = String::from(
			"SELECT a.id AS id, a.recorded_ms AS recorded_ms, a.interaction AS interaction, a.outcome AS outcome, \
			 a.outcome_desc AS outcome_desc, a.requester AS requester, a.signer AS signer, a.purpose AS a_purpose, \
			 a.resource_type AS resource_type, a.resource_id AS resource_id, a.version AS version, \
			 a.record_id AS a_record_id, a.patient AS a_patient, a.basis AS basis, a.checked_at AS a_checked_at, \
			 d.seq AS seq, d.recipient AS recipient, d.patient AS patient, d.record_id AS record_id, d.purpose AS purpose, \
			 d.checked_at AS checked_at, d.created_ms AS created_ms, d.state AS state, d.submitted_block AS submitted_block, \
			 d.block_number AS block_number, d.block_hash AS block_hash, d.extrinsic_index AS extrinsic_index, \
			 d.error AS error, d.finalized_ms AS finalized_ms \
			 FROM audit_events a LEFT JOIN disclosures d ON d.seq = a.disclosure WHERE 1 = 1",
		);
		let mut n = 0;
		let mut next = || {
			n += 1;
			n
		};
		if id.is_some() {
			sql.push_str(&format!(" AND a.id = ${}", next()));
		}
		if patient.is_some() {
			sql.push_str(&format!(" AND a.patient = ${}", next()));
		}
		if requester.is_some() {
			sql.push_str(&format!(" AND a.requester = ${}", next()));
		}
		if outcome.is_some() {
			sql.push_str(&format!(" AND a.outcome = ${}", next()));
		}
		sql.push_str(&format!(
			" ORDER BY a.recorded_ms DESC, a.id LIMIT ${} OFFSET ${}",
			next(),
			next()
		));
		let mut q = sqlx::query(&sql);
		if let Some(id) = id {
			q = q.bind(id.to_string());
		}
		if let Some(p) = patient {
			q = q.bind(p.to_vec());
		}
		if let Some(r) = requester {
			q = q.bind(r.to_vec());
		}
		if let Some(o) = outcome {
			q = q.bind(o);
		}
		let rows = q.bind(count).bind(offset).fetch_all(&self.pool).await?;
		rows.iter()
			.map(|r| {
				let seq: Option<i64> = r.try_get("seq")?;
				// The disclosure's columns carry disclosure_row's names (the audit's are a_*).
				let disclosure = match seq {
					None => None,
					Some(_) => Some(disclosure_row(r)?),
				};
				Ok(AuditRow {
					id: r.try_get("id")?,
					recorded_ms: r.try_get("recorded_ms")?,
					interaction: r.try_get("interaction")?,
					outcome: r.try_get("outcome")?,
					outcome_desc: r.try_get("outcome_desc")?,
					requester: r.try_get("requester")?,
					signer: r.try_get("signer")?,
					purpose: r.try_get("a_purpose")?,
					resource_type: r.try_get("resource_type")?,
					resource_id: r.try_get("resource_id")?,
					version: r.try_get("version")?,
					record_id: r.try_get("a_record_id")?,
					patient: r.try_get("a_patient")?,
					basis: r.try_get("basis")?,
					checked_at: r.try_get("a_checked_at")?,
					disclosure,
				})
			})
			.collect::<Result<_, sqlx::Error>>()
			.map_err(GatewayError::Database)
	}

	/// Disclosures never submitted (or to submit again), oldest first.
	pub async fn disclosures_to_send(
		&self,
		limit: i64,
	) -> Result<Vec<DisclosureRow>, GatewayError> {
		let rows = sqlx::query(&format!(
			"SELECT {DISCLOSURE_COLS} FROM disclosures WHERE state = 'pending' AND submitted_block IS NULL ORDER BY seq LIMIT $1"
		))
		.bind(limit)
		.fetch_all(&self.pool)
		.await?;
		Ok(rows.iter().map(disclosure_row).collect::<Result<_, _>>()?)
	}

	/// Disclosures submitted but not seen in a block (a crash, a timeout, an abandoned block).
	pub async fn disclosures_unconfirmed(&self) -> Result<Vec<DisclosureRow>, GatewayError> {
		let rows = sqlx::query(&format!(
			"SELECT {DISCLOSURE_COLS} FROM disclosures WHERE state = 'pending' AND submitted_block IS NOT NULL ORDER BY seq"
		))
		.fetch_all(&self.pool)
		.await?;
		Ok(rows.iter().map(disclosure_row).collect::<Result<_, _>>()?)
	}

	/// Disclosures in a block at or below `number`, waiting for finality.
	pub async fn disclosures_in_block_upto(
		&self,
		number: i64,
	) -> Result<Vec<DisclosureRow>, GatewayError> {
		let rows = sqlx::query(&format!(
			"SELECT {DISCLOSURE_COLS} FROM disclosures WHERE state = 'in_block' AND block_number <= $1 ORDER BY seq"
		))
		.bind(number)
		.fetch_all(&self.pool)
		.await?;
		Ok(rows.iter().map(disclosure_row).collect::<Result<_, _>>()?)
	}

	/// Run `sql` (binding `$1` = `value` and `$2` = each seq) for every seq, in one transaction.
	async fn update_disclosures(
		&self,
		sql: &str,
		value: Option<i64>,
		seqs: &[i64],
	) -> Result<(), GatewayError> {
		if seqs.is_empty() {
			return Ok(());
		}
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		for seq in seqs {
			sqlx::query(sql).bind(value).bind(*seq).execute(&mut *tx).await?;
		}
		tx.commit().await?;
		Ok(())
	}

	/// Write-ahead mark: these disclosures are about to be submitted while the best block is
	/// `best` (a restart looks for them on chain from there before sending them again).
	pub async fn mark_disclosures_submitted(
		&self,
		seqs: &[i64],
		best: i64,
	) -> Result<(), GatewayError> {
		self.update_disclosures(
			"UPDATE disclosures SET submitted_block = $1 WHERE seq = $2",
			Some(best),
			seqs,
		)
		.await
	}

	/// These disclosures are certainly not on chain (the call failed as a whole, or they were
	/// not found in any block their transaction could have entered): send them again.
	pub async fn clear_disclosures_submitted(&self, seqs: &[i64]) -> Result<(), GatewayError> {
		self.update_disclosures(
			"UPDATE disclosures SET submitted_block = $1 WHERE seq = $2",
			None,
			seqs,
		)
		.await
	}

	/// These disclosures are in block `number` (`hash`), extrinsic `index`.
	pub async fn mark_disclosures_in_block(
		&self,
		seqs: &[i64],
		number: i64,
		hash: &[u8],
		index: i64,
	) -> Result<(), GatewayError> {
		if seqs.is_empty() {
			return Ok(());
		}
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		for seq in seqs {
			sqlx::query(
				"UPDATE disclosures SET state = 'in_block', block_number = $1, block_hash = $2, extrinsic_index = $3, error = NULL WHERE seq = $4",
			)
			.bind(number)
			.bind(hash.to_vec())
			.bind(index)
			.bind(*seq)
			.execute(&mut *tx)
			.await?;
		}
		tx.commit().await?;
		Ok(())
	}

	/// These disclosures' blocks are finalized.
	pub async fn mark_disclosures_finalized(&self, seqs: &[i64]) -> Result<(), GatewayError> {
		self.update_disclosures(
			"UPDATE disclosures SET state = 'finalized', finalized_ms = $1 WHERE seq = $2",
			Some(now_ms()),
			seqs,
		)
		.await
	}

	/// These disclosures' block left the chain before finality: unconfirmed again, looked
	/// for from that block on.
	pub async fn mark_disclosures_abandoned(
		&self,
		rows: &[DisclosureRow],
	) -> Result<(), GatewayError> {
		let _guard = self.write_guard().await;
		let mut tx = self.pool.begin().await?;
		for r in rows {
			sqlx::query(
				"UPDATE disclosures SET state = 'pending', submitted_block = $1, block_number = NULL, block_hash = NULL, extrinsic_index = NULL WHERE seq = $2",
			)
			.bind(r.block_number)
			.bind(r.seq)
			.execute(&mut *tx)
			.await?;
		}
		tx.commit().await?;
		Ok(())
	}

	/// The chain refused this disclosure entry itself (`InvalidDisclosure`): it is kept, marked
	/// failed with the reason, and not sent again.
	pub async fn mark_disclosure_failed(&self, seq: i64, error: &str) -> Result<(), GatewayError> {
		let _guard = self.write_guard().await;
		sqlx::query("UPDATE disclosures SET state = 'failed', error = $1, submitted_block = NULL WHERE seq = $2")
			.bind(error)
			.bind(seq)
			.execute(&self.pool)
			.await?;
		Ok(())
	}

	/// Disclosure counts by state.
	pub async fn disclosure_stats(&self) -> Result<DisclosureStats, GatewayError> {
		let mut s = DisclosureStats::default();
		let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM disclosures GROUP BY state")
			.fetch_all(&self.pool)
			.await?;
		for r in rows {
			let state: String = r.try_get("state")?;
			let n: i64 = r.try_get("n")?;
			match state.as_str() {
				"pending" => s.pending = n,
				"in_block" => s.in_block = n,
				"finalized" => s.finalized = n,
				"failed" => s.failed = n,
				_ => {}
			}
		}
		s.oldest_pending_ms =
			sqlx::query("SELECT MIN(created_ms) AS oldest FROM disclosures WHERE state IN ('pending', 'in_block')")
				.fetch_one(&self.pool)
				.await?
				.try_get("oldest")?;
		Ok(s)
	}

	/// Forget nonces of signatures created before `before` (Unix seconds): such requests are
	/// refused as stale anyway.
	pub async fn prune_nonces(&self, before: i64) -> Result<u64, GatewayError> {
		let _guard = self.write_guard().await;
		Ok(sqlx::query("DELETE FROM request_nonces WHERE created < $1")
			.bind(before)
			.execute(&self.pool)
			.await?
			.rows_affected())
	}

	/// Store a verified copy received from another organisation; its sequence number.
	pub async fn insert_received(&self, r: &Received) -> Result<i64, GatewayError> {
		let _guard = self.write_guard().await;
		let seq: i64 = sqlx::query(
			"INSERT INTO received (custodian, resource_type, id, version, record_id, patient, content, salt, digest, \
			 verified_block, verified_hash, purpose, basis, source_audit, received_ms) \
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING seq",
		)
		.bind(r.custodian.clone())
		.bind(&r.resource_type)
		.bind(&r.id)
		.bind(r.version)
		.bind(r.record_id.clone())
		.bind(r.patient.clone())
		.bind(&r.content)
		.bind(r.salt.clone())
		.bind(r.digest.clone())
		.bind(r.verified_block)
		.bind(r.verified_hash.clone())
		.bind(&r.purpose)
		.bind(r.basis.clone())
		.bind(r.source_audit.clone())
		.bind(now_ms())
		.fetch_one(&self.pool)
		.await?
		.try_get("seq")?;
		Ok(seq)
	}

	/// How many verified copies of `record_id` this store holds.
	pub async fn received_count(&self, record_id: &[u8]) -> Result<i64, GatewayError> {
		Ok(sqlx::query("SELECT COUNT(*) AS n FROM received WHERE record_id = $1")
			.bind(record_id.to_vec())
			.fetch_one(&self.pool)
			.await?
			.try_get("n")?)
	}
}

/// The group committer: takes every outcome waiting (up to 256), writes them in one
/// transaction (each after the check of its nonce: a replayed one writes nothing), commits,
/// then answers each.
async fn group_commit(
	pool: AnyPool,
	backend: Backend,
	write_lock: std::sync::Arc<Mutex<()>>,
	mut queue: tokio::sync::mpsc::Receiver<Commit>,
) {
	const MAX: usize = 256;
	while let Some(first) = queue.recv().await {
		let mut batch = vec![first];
		while batch.len() < MAX {
			match queue.try_recv() {
				Ok(c) => batch.push(c),
				Err(_) => break,
			}
		}
		let result = {
			let _guard = match backend {
				Backend::Sqlite => Some(write_lock.lock().await),
				Backend::Postgres => None,
			};
			commit_batch(&pool, &batch).await
		};
		match result {
			Ok(fresh) => {
				for (c, f) in batch.into_iter().zip(fresh) {
					let _ = c.done.send(Ok(f));
				}
			}
			Err(e) => {
				let text = e.to_string();
				for c in batch {
					let _ = c.done.send(Err(text.clone()));
				}
			}
		}
	}
}

async fn commit_batch(pool: &AnyPool, batch: &[Commit]) -> Result<Vec<bool>, sqlx::Error> {
	let mut tx = pool.begin().await?;
	let mut fresh = Vec::with_capacity(batch.len());
	let now = now_ms();
	for c in batch {
		if let Some((signer, nonce, created)) = &c.nonce {
			let inserted = sqlx::query(
				"INSERT INTO request_nonces (signer, nonce, created) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
			)
			.bind(signer.clone())
			.bind(nonce.clone())
			.bind(*created)
			.execute(&mut *tx)
			.await?
			.rows_affected();
			if inserted == 0 {
				fresh.push(false);
				continue;
			}
		}
		fresh.push(true);
		for (a, d) in &c.events {
			let seq: Option<i64> = match d {
				None => None,
				Some(d) => Some(
					sqlx::query(
						"INSERT INTO disclosures (recipient, patient, record_id, purpose, checked_at, created_ms, state) \
						 VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING seq",
					)
					.bind(d.recipient.clone())
					.bind(d.patient.clone())
					.bind(d.record_id.clone())
					.bind(d.purpose)
					.bind(d.checked_at)
					.bind(now)
					.fetch_one(&mut *tx)
					.await?
					.try_get("seq")?,
				),
			};
			sqlx::query(
				"INSERT INTO audit_events (id, recorded_ms, interaction, outcome, outcome_desc, requester, signer, purpose, \
				 resource_type, resource_id, version, record_id, patient, basis, checked_at, disclosure) \
				 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
			)
			.bind(&a.id)
			.bind(a.recorded_ms)
			.bind(&a.interaction)
			.bind(a.outcome)
			.bind(a.outcome_desc.clone())
			.bind(a.requester.clone())
			.bind(a.signer.clone())
			.bind(a.purpose.clone())
			.bind(a.resource_type.clone())
			.bind(a.resource_id.clone())
			.bind(a.version)
			.bind(a.record_id.clone())
			.bind(a.patient.clone())
			.bind(a.basis.clone())
			.bind(a.checked_at)
			.bind(seq)
			.execute(&mut *tx)
			.await?;
		}
	}
	tx.commit().await?;
	Ok(fresh)
}
