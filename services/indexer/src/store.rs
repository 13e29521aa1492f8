//! The indexer's database: SQLite (embedded, the default) or PostgreSQL, one code path
//! through sqlx's `Any` driver, schema by sqlx migrations (one directory per backend, the
//! same tables).
//!
//! [`Store::write_block`] writes a block's facts and its `blocks` row in **one transaction**:
//! the highest block in `blocks` is where indexing resumes, so a crash between two blocks
//! leaves neither a gap nor a duplicate, and a restarted indexer ends with exactly the rows
//! of an uninterrupted run.

use futures::TryStreamExt;
use serde_json::{json, Map, Value};
use sqlx::{
	any::{AnyArguments, AnyPoolOptions, AnyRow},
	query::Query,
	Any, AnyPool, Executor, Row,
};

use crate::{
	error::IndexerError,
	facts::{Access, BlockFacts, Fact},
};

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
	/// The chain's SS58 prefix, for the accounts in answers.
	ss58: u16,
}

/// A bound parameter of a built query.
#[derive(Clone, Debug)]
pub enum P {
	I(i64),
	B(Vec<u8>),
	T(String),
}

fn bind_all<'q>(
	mut q: Query<'q, Any, AnyArguments<'q>>,
	params: &'q [P],
) -> Query<'q, Any, AnyArguments<'q>> {
	for p in params {
		q = match p {
			P::I(v) => q.bind(*v),
			P::B(v) => q.bind(v.as_slice()),
			P::T(v) => q.bind(v.as_str()),
		};
	}
	q
}

/// A query over one dataset: conditions (each with one `{}` placeholder for its parameter)
/// and the keyset position to continue after.
#[derive(Clone, Debug, Default)]
pub struct Filter {
	conds: Vec<(String, Option<P>)>,
	/// Continue after this key (exclusive).
	pub after: Option<(i64, i64)>,
}

impl Filter {
	/// `column = value`.
	pub fn eq(&mut self, column: &str, value: P) -> &mut Self {
		self.conds.push((format!("{column} = {{}}"), Some(value)));
		self
	}
	/// A condition with one `{}` placeholder.
	pub fn cond(&mut self, cond: &str, value: P) -> &mut Self {
		self.conds.push((cond.to_string(), Some(value)));
		self
	}
	/// A condition without parameters.
	pub fn raw(&mut self, cond: &str) -> &mut Self {
		self.conds.push((cond.to_string(), None));
		self
	}
}

/// What can be queried: a table, its ordering key and its fields (CSV columns, in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
	Accesses,
	Consents,
	BreakGlass,
	Records,
	Claims,
	ClaimEvents,
	ProviderEvents,
	ValidatorEvents,
	Extrinsics,
}

impl Dataset {
	pub fn name(self) -> &'static str {
		match self {
			Self::Accesses => "accesses",
			Self::Consents => "consents",
			Self::BreakGlass => "break-glass",
			Self::Records => "records",
			Self::Claims => "claims",
			Self::ClaimEvents => "claim-events",
			Self::ProviderEvents => "providers",
			Self::ValidatorEvents => "validators",
			Self::Extrinsics => "extrinsics",
		}
	}

	fn table(self) -> &'static str {
		match self {
			Self::Accesses => "accesses",
			Self::Consents => "consent_events",
			Self::BreakGlass => "break_glass",
			Self::Records => "records",
			Self::Claims => "claims",
			Self::ClaimEvents => "claim_events",
			Self::ProviderEvents => "provider_events",
			Self::ValidatorEvents => "validator_events",
			Self::Extrinsics => "extrinsics",
		}
	}

	/// The ordering (and keyset) columns.
	fn key(self) -> (&'static str, &'static str) {
		match self {
			Self::BreakGlass => ("id", "0"),
			Self::Claims => ("claim_id", "0"),
			Self::Records => ("anchored_block", "anchored_event_index"),
			Self::Extrinsics => ("block", "idx"),
			_ => ("block", "event_index"),
		}
	}

	/// The block column time ranges apply to.
	pub fn block_column(self) -> &'static str {
		match self {
			Self::BreakGlass => "opened_block",
			Self::Claims => "submitted_block",
			Self::Records => "anchored_block",
			_ => "block",
		}
	}

	/// The fields of an item, in CSV column order.
	pub fn fields(self) -> &'static [&'static str] {
		match self {
			Self::Accesses => &[
				"block",
				"eventIndex",
				"extrinsicIndex",
				"time",
				"kind",
				"patient",
				"accessor",
				"custodian",
				"signer",
				"recordId",
				"scope",
				"purpose",
				"basis",
				"breakGlassId",
				"denial",
				"checkedAt",
			],
			Self::Consents => &[
				"block",
				"eventIndex",
				"extrinsicIndex",
				"time",
				"patient",
				"party",
				"action",
				"scopes",
				"purposes",
				"expiresAt",
				"consentDigest",
				"by",
				"byRole",
			],
			Self::BreakGlass => &[
				"id",
				"patient",
				"provider",
				"reason",
				"openedBlock",
				"openedAt",
				"expiresAt",
				"state",
				"closedBlock",
				"closedAt",
				"closeCause",
				"review",
				"reviewedBlock",
				"reviewedAt",
				"verdict",
				"unjustifiedTotal",
				"suspended",
			],
			Self::Records => &[
				"recordId",
				"subject",
				"author",
				"kind",
				"scope",
				"version",
				"digest",
				"status",
				"retractReason",
				"anchoredBlock",
				"updatedBlock",
			],
			Self::Claims => &[
				"claimId",
				"provider",
				"insurer",
				"patient",
				"amount",
				"digest",
				"status",
				"approved",
				"partial",
				"denialReason",
				"paid",
				"award",
				"escalated",
				"submittedBlock",
				"submittedAt",
				"updatedBlock",
				"updatedAt",
			],
			Self::ClaimEvents => &[
				"block",
				"eventIndex",
				"extrinsicIndex",
				"time",
				"claimId",
				"action",
				"by",
				"amount",
				"detail",
			],
			Self::ProviderEvents => &[
				"block",
				"eventIndex",
				"extrinsicIndex",
				"time",
				"who",
				"action",
				"roles",
				"credentialExpiresAt",
				"count",
			],
			Self::ValidatorEvents => &[
				"block",
				"eventIndex",
				"extrinsicIndex",
				"time",
				"action",
				"who",
				"session",
				"count",
			],
			Self::Extrinsics => {
				&["block", "index", "hash", "signer", "real", "pallet", "call", "success", "error"]
			}
		}
	}
}

/// One page of a query.
#[derive(Debug, serde::Serialize)]
pub struct Page {
	pub items: Vec<Value>,
	/// Pass as `after` for the next page; absent on the last page.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub next: Option<String>,
}

/// RFC 3339 of a Unix time in milliseconds.
pub fn rfc3339(ms: i64) -> String {
	time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
		.ok()
		.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
		.unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

fn hex32(b: &[u8]) -> String {
	format!("0x{}", hex::encode(b))
}

impl Store {
	/// Open (and migrate) the database at `url`.
	pub async fn open(url: &str, ss58: u16) -> Result<Self, IndexerError> {
		sqlx::any::install_default_drivers();
		let backend = if url.starts_with("sqlite:") {
			Backend::Sqlite
		} else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
			Backend::Postgres
		} else {
			return Err(IndexerError::Config(format!(
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
					// WAL + FULL: a committed block is on disk before the commit returns;
					// readers (the query API) never block the writer.
					conn.execute("PRAGMA journal_mode = WAL").await?;
					conn.execute("PRAGMA synchronous = FULL").await?;
					conn.execute("PRAGMA busy_timeout = 10000").await?;
					Ok(())
				})
			});
		}
		let pool = options.connect(url).await?;
		match backend {
			Backend::Sqlite => SQLITE_MIGRATIONS.run(&pool).await,
			Backend::Postgres => POSTGRES_MIGRATIONS.run(&pool).await,
		}
		.map_err(|e| IndexerError::Config(format!("database migration failed: {e}")))?;
		Ok(Self { pool, backend, ss58 })
	}

	pub fn backend(&self) -> Backend {
		self.backend
	}

	pub async fn close(&self) {
		self.pool.close().await;
	}

	/// Whether the database answers.
	pub async fn ping(&self) -> bool {
		sqlx::query("SELECT 1").fetch_one(&self.pool).await.is_ok()
	}

	/// An account in the chain's SS58 form.
	pub fn account(&self, b: &[u8]) -> String {
		<[u8; 32]>::try_from(b)
			.map(|a| healthchain_chain::ss58(&healthchain_chain::AccountId32(a), self.ss58))
			.unwrap_or_else(|_| hex32(b))
	}

	/// Record the chain's genesis hash on first use; refuse another chain's database.
	pub async fn check_chain(&self, genesis: &[u8; 32]) -> Result<(), IndexerError> {
		sqlx::query(
			"INSERT INTO meta (name, value) SELECT 'genesis', $1 WHERE NOT EXISTS (SELECT 1 FROM meta WHERE name = 'genesis')",
		)
		.bind(genesis.as_slice())
		.execute(&self.pool)
		.await?;
		let stored: Vec<u8> = sqlx::query("SELECT value FROM meta WHERE name = 'genesis'")
			.fetch_one(&self.pool)
			.await?
			.try_get("value")?;
		if stored != genesis {
			return Err(IndexerError::WrongChain { stored: hex32(&stored), node: hex32(genesis) });
		}
		Ok(())
	}

	/// The last block written: (number, hash).
	pub async fn last_block(&self) -> Result<Option<(u64, Vec<u8>)>, IndexerError> {
		let row = sqlx::query("SELECT number, hash FROM blocks ORDER BY number DESC LIMIT 1")
			.fetch_optional(&self.pool)
			.await?;
		Ok(match row {
			Some(r) => Some((r.try_get::<i64, _>("number")? as u64, r.try_get("hash")?)),
			None => None,
		})
	}

	/// Write one block's facts and its `blocks` row in one transaction; returns the number
	/// of facts written.
	pub async fn write_block(&self, b: &BlockFacts) -> Result<u64, IndexerError> {
		let mut tx = self.pool.begin().await?;
		let number = b.number as i64;
		for x in &b.extrinsics {
			sqlx::query(
				"INSERT INTO extrinsics (block, idx, hash, signer, real_account, pallet, call_name, success, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			)
			.bind(number)
			.bind(i64::from(x.index))
			.bind(x.hash.as_slice())
			.bind(x.signer.map(|a| a.to_vec()))
			.bind(x.real.map(|a| a.to_vec()))
			.bind(x.pallet.as_str())
			.bind(x.call.as_str())
			.bind(i64::from(x.success))
			.bind(x.error.as_deref())
			.execute(&mut *tx)
			.await?;
		}
		let mut accesses: Vec<&Access> = vec![];
		let mut written = 0u64;
		for f in &b.facts {
			written += 1;
			if let Fact::Access(a) = f {
				accesses.push(a);
				continue;
			}
			write_fact(&mut tx, f).await?;
		}
		// Accesses arrive by the thousand (512 per logAccessBatch): multi-row inserts.
		const COLS: usize = 16;
		for chunk in accesses.chunks(64) {
			let mut sql = String::from("INSERT INTO accesses (block, event_index, extrinsic_index, ts_ms, kind, patient, accessor, custodian, signer, record_id, scope, purpose, basis, break_glass_id, denial, checked_at) VALUES ");
			for (i, _) in chunk.iter().enumerate() {
				if i > 0 {
					sql.push(',');
				}
				sql.push('(');
				for c in 0..COLS {
					if c > 0 {
						sql.push(',');
					}
					sql.push_str(&format!("${}", i * COLS + c + 1));
				}
				sql.push(')');
			}
			let mut q = sqlx::query(&sql);
			for a in chunk {
				q = q
					.bind(a.at.block)
					.bind(a.at.event_index)
					.bind(a.at.extrinsic_index)
					.bind(a.at.ts_ms)
					.bind(a.kind)
					.bind(a.patient.to_vec())
					.bind(a.accessor.to_vec())
					.bind(a.custodian.map(|c| c.to_vec()))
					.bind(a.signer.map(|c| c.to_vec()))
					.bind(a.record_id.to_vec())
					.bind(a.scope.as_str())
					.bind(a.purpose.as_str())
					.bind(a.basis)
					.bind(a.break_glass_id)
					.bind(a.denial.as_deref())
					.bind(a.checked_at);
			}
			q.execute(&mut *tx).await?;
		}
		sqlx::query(
			"INSERT INTO blocks (number, hash, ts_ms, spec_version, extrinsics, events) VALUES ($1, $2, $3, $4, $5, $6)",
		)
		.bind(number)
		.bind(b.hash.as_slice())
		.bind(b.ts_ms)
		.bind(i64::from(b.spec_version))
		.bind(i64::from(b.extrinsic_count))
		.bind(i64::from(b.event_count))
		.execute(&mut *tx)
		.await?;
		tx.commit().await?;
		Ok(written)
	}

	/// The first block at or after `ms` and the last at or before it (time ranges become
	/// block ranges through the blocks' own timestamps).
	pub async fn block_at_or_after(&self, ms: i64) -> Result<Option<i64>, IndexerError> {
		let row = sqlx::query("SELECT MIN(number) AS n FROM blocks WHERE ts_ms >= $1")
			.bind(ms)
			.fetch_one(&self.pool)
			.await?;
		Ok(row.try_get::<Option<i64>, _>("n")?)
	}

	pub async fn block_at_or_before(&self, ms: i64) -> Result<Option<i64>, IndexerError> {
		let row = sqlx::query("SELECT MAX(number) AS n FROM blocks WHERE ts_ms <= $1")
			.bind(ms)
			.fetch_one(&self.pool)
			.await?;
		Ok(row.try_get::<Option<i64>, _>("n")?)
	}

	/// Whether `guardian` is (as of the last indexed block) a guardian of `patient`.
	pub async fn is_guardian(&self, patient: &[u8], guardian: &[u8]) -> Result<bool, IndexerError> {
		let row = sqlx::query(
			"SELECT action FROM consent_events WHERE patient = $1 AND party = $2 AND action IN ('guardian_added', 'guardian_removed') ORDER BY block DESC, event_index DESC LIMIT 1",
		)
		.bind(patient)
		.bind(guardian)
		.fetch_optional(&self.pool)
		.await?;
		Ok(match row {
			Some(r) => r.try_get::<String, _>("action")? == "guardian_added",
			None => false,
		})
	}

	/// The SQL (and parameters) of a dataset query: `limit` rows after the filter's key.
	pub fn select(&self, ds: Dataset, filter: &Filter, limit: Option<i64>) -> (String, Vec<P>) {
		let (k1, k2) = ds.key();
		let mut params = vec![];
		let mut wheres = vec![];
		for (cond, p) in &filter.conds {
			match p {
				Some(p) => {
					params.push(p.clone());
					wheres.push(cond.replace("{}", &format!("${}", params.len())));
				}
				None => wheres.push(cond.clone()),
			}
		}
		if let Some((a, b)) = filter.after {
			params.push(P::I(a));
			let pa = params.len();
			params.push(P::I(b));
			let pb = params.len();
			if k2 == "0" {
				wheres.push(format!("({k1} > ${pa} OR (${pb} < 0))"));
			} else {
				wheres.push(format!("({k1} > ${pa} OR ({k1} = ${pa} AND {k2} > ${pb}))"));
			}
		}
		let mut sql = format!("SELECT * FROM {}", ds.table());
		if !wheres.is_empty() {
			sql.push_str(" WHERE ");
			sql.push_str(&wheres.join(" AND "));
		}
		if k2 == "0" {
			sql.push_str(&format!(" ORDER BY {k1}"));
		} else {
			sql.push_str(&format!(" ORDER BY {k1}, {k2}"));
		}
		if let Some(l) = limit {
			params.push(P::I(l));
			sql.push_str(&format!(" LIMIT ${}", params.len()));
		}
		(sql, params)
	}

	/// One page of `ds` (`limit` items) and the key to continue after.
	pub async fn page(
		&self,
		ds: Dataset,
		filter: &Filter,
		limit: i64,
	) -> Result<Page, IndexerError> {
		let (sql, params) = self.select(ds, filter, Some(limit + 1));
		let rows = bind_all(sqlx::query(&sql), &params).fetch_all(&self.pool).await?;
		let more = rows.len() as i64 > limit;
		let mut items = Vec::with_capacity(rows.len());
		let mut last = None;
		for r in rows.iter().take(limit as usize) {
			items.push(self.item(ds, r)?);
			last = Some(key_of(ds, r)?);
		}
		if ds == Dataset::Records {
			for item in &mut items {
				let id = item["recordId"].as_str().unwrap_or_default().to_string();
				item["versions"] = Value::Array(self.versions(&id).await?);
			}
		}
		let next = if more { last.map(|(a, b)| format!("{a}.{b}")) } else { None };
		Ok(Page { items, next })
	}

	async fn versions(&self, record_id_hex: &str) -> Result<Vec<Value>, IndexerError> {
		let id = hex::decode(record_id_hex.trim_start_matches("0x")).unwrap_or_default();
		let rows = sqlx::query(
			"SELECT * FROM record_versions WHERE record_id = $1 ORDER BY block, event_index",
		)
		.bind(id)
		.fetch_all(&self.pool)
		.await?;
		rows.iter()
			.map(|r| {
				Ok(json!({
					"version": r.try_get::<i64, _>("version")?,
					"action": r.try_get::<String, _>("action")?,
					"digest": r.try_get::<Option<Vec<u8>>, _>("digest")?.map(|d| hex32(&d)),
					"block": r.try_get::<i64, _>("block")?,
					"eventIndex": r.try_get::<i64, _>("event_index")?,
					"extrinsicIndex": r.try_get::<Option<i64>, _>("extrinsic_index")?,
					"time": rfc3339(r.try_get::<i64, _>("ts_ms")?),
					"author": r.try_get::<Option<Vec<u8>>, _>("author")?.map(|a| self.account(&a)),
				}))
			})
			.collect()
	}

	/// Every row of a query, one at a time, into `tx` (export: the channel is bounded, so
	/// memory is too); stops when the receiver goes away. Returns the rows sent.
	pub async fn send_all(
		&self,
		ds: Dataset,
		filter: &Filter,
		tx: tokio::sync::mpsc::Sender<Result<Value, IndexerError>>,
	) -> u64 {
		let (sql, params) = self.select(ds, filter, None);
		let mut rows = bind_all(sqlx::query(&sql), &params).fetch(&self.pool);
		let mut n = 0;
		loop {
			let item = match rows.try_next().await {
				Ok(Some(r)) => self.item(ds, &r),
				Ok(None) => return n,
				Err(e) => Err(e.into()),
			};
			let failed = item.is_err();
			if tx.send(item).await.is_err() || failed {
				return n;
			}
			n += 1;
		}
	}

	/// The chain this database indexes (its genesis hash), once known.
	pub async fn genesis(&self) -> Result<Option<[u8; 32]>, IndexerError> {
		let row = sqlx::query("SELECT value FROM meta WHERE name = 'genesis'")
			.fetch_optional(&self.pool)
			.await?;
		Ok(match row {
			Some(r) => <[u8; 32]>::try_from(r.try_get::<Vec<u8>, _>("value")?).ok(),
			None => None,
		})
	}

	/// A row as the API's JSON item.
	pub fn item(&self, ds: Dataset, r: &AnyRow) -> Result<Value, IndexerError> {
		let acct = |c: &str| -> Result<Value, sqlx::Error> {
			Ok(match r.try_get::<Option<Vec<u8>>, _>(c)? {
				Some(a) => Value::String(self.account(&a)),
				None => Value::Null,
			})
		};
		let h = |c: &str| -> Result<Value, sqlx::Error> {
			Ok(match r.try_get::<Option<Vec<u8>>, _>(c)? {
				Some(a) => Value::String(hex32(&a)),
				None => Value::Null,
			})
		};
		let i = |c: &str| -> Result<Value, sqlx::Error> {
			Ok(match r.try_get::<Option<i64>, _>(c)? {
				Some(v) => json!(v),
				None => Value::Null,
			})
		};
		let t = |c: &str| -> Result<Value, sqlx::Error> {
			Ok(match r.try_get::<Option<String>, _>(c)? {
				Some(v) => Value::String(v),
				None => Value::Null,
			})
		};
		let list = |c: &str| -> Result<Value, sqlx::Error> {
			Ok(match r.try_get::<Option<String>, _>(c)? {
				Some(v) if v.is_empty() => json!([]),
				Some(v) => json!(v.split(',').collect::<Vec<_>>()),
				None => Value::Null,
			})
		};
		let b = |c: &str| -> Result<Value, sqlx::Error> {
			Ok(match r.try_get::<Option<i64>, _>(c)? {
				Some(v) => Value::Bool(v != 0),
				None => Value::Null,
			})
		};
		let time = |c: &str| -> Result<Value, sqlx::Error> {
			Ok(match r.try_get::<Option<i64>, _>(c)? {
				Some(v) => Value::String(rfc3339(v)),
				None => Value::Null,
			})
		};
		let mut m = Map::new();
		let mut put = |k: &str, v: Value| {
			m.insert(k.to_string(), v);
		};
		match ds {
			Dataset::Accesses => {
				put("block", i("block")?);
				put("eventIndex", i("event_index")?);
				put("extrinsicIndex", i("extrinsic_index")?);
				put("time", time("ts_ms")?);
				put("kind", t("kind")?);
				put("patient", acct("patient")?);
				put("accessor", acct("accessor")?);
				put("custodian", acct("custodian")?);
				put("signer", acct("signer")?);
				put("recordId", h("record_id")?);
				put("scope", t("scope")?);
				put("purpose", t("purpose")?);
				put("basis", t("basis")?);
				put("breakGlassId", i("break_glass_id")?);
				put("denial", t("denial")?);
				put("checkedAt", i("checked_at")?);
			}
			Dataset::Consents => {
				put("block", i("block")?);
				put("eventIndex", i("event_index")?);
				put("extrinsicIndex", i("extrinsic_index")?);
				put("time", time("ts_ms")?);
				put("patient", acct("patient")?);
				put("party", acct("party")?);
				put("action", t("action")?);
				put("scopes", list("scopes")?);
				put("purposes", list("purposes")?);
				put("expiresAt", i("expires_at")?);
				put("consentDigest", h("consent_digest")?);
				put("by", acct("by_account")?);
				put("byRole", t("by_role")?);
			}
			Dataset::BreakGlass => {
				let closed = r.try_get::<Option<i64>, _>("closed_block")?.is_some();
				let verdict = r.try_get::<Option<String>, _>("verdict")?;
				put("id", i("id")?);
				put("patient", acct("patient")?);
				put("provider", acct("provider")?);
				put("reason", t("reason")?);
				put("openedBlock", i("opened_block")?);
				put("openedAt", time("opened_ts_ms")?);
				put("expiresAt", i("expires_at")?);
				put("state", json!(if closed { "closed" } else { "open" }));
				put("closedBlock", i("closed_block")?);
				put("closedAt", time("closed_ts_ms")?);
				put("closeCause", t("close_cause")?);
				put("review", json!(if verdict.is_some() { "reviewed" } else { "pending" }));
				put("reviewedBlock", i("reviewed_block")?);
				put("reviewedAt", time("reviewed_ts_ms")?);
				put("verdict", json!(verdict));
				put("unjustifiedTotal", i("unjustified_total")?);
				put("suspended", b("suspended")?);
			}
			Dataset::Records => {
				put("recordId", h("record_id")?);
				put("subject", acct("subject")?);
				put("author", acct("author")?);
				put("kind", i("kind")?);
				put("scope", t("scope")?);
				put("version", i("version")?);
				put("digest", h("digest")?);
				put("status", t("status")?);
				put("retractReason", t("retract_reason")?);
				put("anchoredBlock", i("anchored_block")?);
				put("updatedBlock", i("updated_block")?);
			}
			Dataset::Claims => {
				put("claimId", i("claim_id")?);
				put("provider", acct("provider")?);
				put("insurer", acct("insurer")?);
				put("patient", acct("patient")?);
				put("amount", t("amount")?);
				put("digest", h("digest")?);
				put("status", t("status")?);
				put("approved", t("approved")?);
				put("partial", b("partial_payment")?);
				put("denialReason", i("denial_reason")?);
				put("paid", t("paid")?);
				put("award", t("award")?);
				put("escalated", b("escalated")?);
				put("submittedBlock", i("submitted_block")?);
				put("submittedAt", time("submitted_ts_ms")?);
				put("updatedBlock", i("updated_block")?);
				put("updatedAt", time("updated_ts_ms")?);
			}
			Dataset::ClaimEvents => {
				put("block", i("block")?);
				put("eventIndex", i("event_index")?);
				put("extrinsicIndex", i("extrinsic_index")?);
				put("time", time("ts_ms")?);
				put("claimId", i("claim_id")?);
				put("action", t("action")?);
				put("by", acct("by_account")?);
				put("amount", t("amount")?);
				put("detail", t("detail")?);
			}
			Dataset::ProviderEvents => {
				put("block", i("block")?);
				put("eventIndex", i("event_index")?);
				put("extrinsicIndex", i("extrinsic_index")?);
				put("time", time("ts_ms")?);
				put("who", acct("who")?);
				put("action", t("action")?);
				put("roles", list("roles")?);
				put("credentialExpiresAt", i("credential_expires_at")?);
				put("count", i("count")?);
			}
			Dataset::ValidatorEvents => {
				put("block", i("block")?);
				put("eventIndex", i("event_index")?);
				put("extrinsicIndex", i("extrinsic_index")?);
				put("time", time("ts_ms")?);
				put("action", t("action")?);
				put("who", acct("who")?);
				put("session", i("session")?);
				put("count", i("count")?);
			}
			Dataset::Extrinsics => {
				put("block", i("block")?);
				put("index", i("idx")?);
				put("hash", h("hash")?);
				put("signer", acct("signer")?);
				put("real", acct("real_account")?);
				put("pallet", t("pallet")?);
				put("call", t("call_name")?);
				put("success", b("success")?);
				put("error", t("error")?);
			}
		}
		Ok(Value::Object(m))
	}

	/// Row counts per table (tests compare two databases with them).
	pub async fn counts(&self) -> Result<Vec<(String, i64)>, IndexerError> {
		let mut out = vec![];
		for table in [
			"blocks",
			"extrinsics",
			"accesses",
			"consent_events",
			"break_glass",
			"records",
			"record_versions",
			"batches",
			"claims",
			"claim_events",
			"provider_events",
			"validator_events",
		] {
			let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
				.fetch_one(&self.pool)
				.await?
				.try_get("n")?;
			out.push((table.to_string(), n));
		}
		Ok(out)
	}

	/// Every row of a dataset as text, in key order (tests compare two databases with it).
	pub async fn dump(&self, ds: Dataset) -> Result<Vec<String>, IndexerError> {
		let (sql, params) = self.select(ds, &Filter::default(), None);
		let rows = bind_all(sqlx::query(&sql), &params).fetch_all(&self.pool).await?;
		rows.iter().map(|r| Ok(self.item(ds, r)?.to_string())).collect()
	}

	/// Events in the indexed blocks (all pallets), for rates.
	pub async fn event_total(&self) -> Result<i64, IndexerError> {
		let row = sqlx::query("SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) AS n FROM blocks")
			.fetch_one(&self.pool)
			.await?;
		Ok(row.try_get::<i64, _>("n")?)
	}

	/// Run a raw SQL query with one bound account (benchmarks compare the API with it).
	pub async fn raw_accesses_of(&self, patient: &[u8], limit: i64) -> Result<usize, IndexerError> {
		let rows = sqlx::query(
			"SELECT * FROM accesses WHERE patient = $1 ORDER BY block, event_index LIMIT $2",
		)
		.bind(patient)
		.bind(limit)
		.fetch_all(&self.pool)
		.await?;
		Ok(rows.len())
	}
}

fn key_of(ds: Dataset, r: &AnyRow) -> Result<(i64, i64), IndexerError> {
	let (k1, k2) = ds.key();
	let a = r.try_get::<i64, _>(k1)?;
	let b = if k2 == "0" { 0 } else { r.try_get::<i64, _>(k2)? };
	Ok((a, b))
}

async fn write_fact(tx: &mut sqlx::Transaction<'_, Any>, f: &Fact) -> Result<(), IndexerError> {
	match f {
		Fact::Access(_) => {}
		Fact::Consent {
			at,
			patient,
			party,
			action,
			scopes,
			purposes,
			expires_at,
			consent_digest,
			by,
			by_role,
		} => {
			sqlx::query("INSERT INTO consent_events (block, event_index, extrinsic_index, ts_ms, patient, party, action, scopes, purposes, expires_at, consent_digest, by_account, by_role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
				.bind(at.block)
				.bind(at.event_index)
				.bind(at.extrinsic_index)
				.bind(at.ts_ms)
				.bind(patient.to_vec())
				.bind(party.to_vec())
				.bind(*action)
				.bind(scopes.as_deref())
				.bind(purposes.as_deref())
				.bind(*expires_at)
				.bind(consent_digest.map(|d| d.to_vec()))
				.bind(by.map(|d| d.to_vec()))
				.bind(*by_role)
				.execute(&mut **tx)
				.await?;
		}
		Fact::BreakGlassOpened { at, id, patient, provider, reason, expires_at } => {
			sqlx::query("INSERT INTO break_glass (id, patient, provider, reason, opened_block, opened_ts_ms, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
				.bind(*id)
				.bind(patient.to_vec())
				.bind(provider.to_vec())
				.bind(reason.as_str())
				.bind(at.block)
				.bind(at.ts_ms)
				.bind(*expires_at)
				.execute(&mut **tx)
				.await?;
		}
		Fact::BreakGlassClosed { at, id, cause } => {
			sqlx::query("UPDATE break_glass SET closed_block = $1, closed_ts_ms = $2, close_cause = $3 WHERE id = $4")
				.bind(at.block)
				.bind(at.ts_ms)
				.bind(cause.as_str())
				.bind(*id)
				.execute(&mut **tx)
				.await?;
		}
		Fact::BreakGlassReviewed { at, id, verdict, unjustified_total, suspended } => {
			sqlx::query("UPDATE break_glass SET reviewed_block = $1, reviewed_ts_ms = $2, verdict = $3, unjustified_total = $4, suspended = $5 WHERE id = $6")
				.bind(at.block)
				.bind(at.ts_ms)
				.bind(verdict.as_str())
				.bind(*unjustified_total)
				.bind(i64::from(*suspended))
				.bind(*id)
				.execute(&mut **tx)
				.await?;
		}
		Fact::RecordAnchored { at, record_id, subject, author, kind, scope, digest } => {
			sqlx::query("INSERT INTO records (record_id, subject, author, kind, scope, version, digest, status, anchored_block, anchored_event_index, updated_block) VALUES ($1, $2, $3, $4, $5, 1, $6, 'current', $7, $8, $7)")
				.bind(record_id.to_vec())
				.bind(subject.to_vec())
				.bind(author.to_vec())
				.bind(*kind)
				.bind(scope.as_str())
				.bind(digest.to_vec())
				.bind(at.block)
				.bind(at.event_index)
				.execute(&mut **tx)
				.await?;
			version_row(tx, at, record_id, 1, Some(digest), "anchored", Some(author)).await?;
		}
		Fact::RecordAmended { at, record_id, version, digest, author } => {
			sqlx::query("UPDATE records SET version = $1, digest = $2, updated_block = $3 WHERE record_id = $4")
				.bind(*version)
				.bind(digest.to_vec())
				.bind(at.block)
				.bind(record_id.to_vec())
				.execute(&mut **tx)
				.await?;
			version_row(tx, at, record_id, *version, Some(digest), "amended", Some(author)).await?;
		}
		Fact::RecordRetracted { at, record_id, reason, author } => {
			let version: Option<i64> =
				sqlx::query("SELECT version FROM records WHERE record_id = $1")
					.bind(record_id.to_vec())
					.fetch_optional(&mut **tx)
					.await?
					.map(|r| r.try_get("version"))
					.transpose()?;
			sqlx::query("UPDATE records SET status = 'retracted', retract_reason = $1, updated_block = $2 WHERE record_id = $3")
				.bind(reason.as_str())
				.bind(at.block)
				.bind(record_id.to_vec())
				.execute(&mut **tx)
				.await?;
			let action = if author.is_some() { "retracted" } else { "force_retracted" };
			version_row(tx, at, record_id, version.unwrap_or(0), None, action, author.as_ref())
				.await?;
		}
		Fact::BatchAnchored { at, batch_id, root, leaf_count, author } => {
			sqlx::query("INSERT INTO batches (batch_id, root, leaf_count, author, block, ts_ms) VALUES ($1, $2, $3, $4, $5, $6)")
				.bind(*batch_id)
				.bind(root.to_vec())
				.bind(*leaf_count)
				.bind(author.to_vec())
				.bind(at.block)
				.bind(at.ts_ms)
				.execute(&mut **tx)
				.await?;
		}
		Fact::ClaimSubmitted { at, claim_id, provider, insurer, patient, amount, digest } => {
			sqlx::query("INSERT INTO claims (claim_id, provider, insurer, patient, amount, digest, status, submitted_block, submitted_ts_ms, updated_block, updated_ts_ms) VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $7, $8)")
				.bind(*claim_id)
				.bind(provider.to_vec())
				.bind(insurer.to_vec())
				.bind(patient.to_vec())
				.bind(amount.as_str())
				.bind(digest.to_vec())
				.bind(at.block)
				.bind(at.ts_ms)
				.execute(&mut **tx)
				.await?;
			claim_event(tx, at, *claim_id, "submitted", Some(provider), Some(amount), None).await?;
		}
		Fact::ClaimStep {
			at,
			claim_id,
			action,
			by,
			amount,
			partial,
			denial_reason,
			escalated,
			award,
		} => {
			let head = "UPDATE claims SET status = $1, updated_block = $2, updated_ts_ms = $3";
			let base = |set: &str| format!("{head}{set} WHERE claim_id = $4");
			let detail: Option<String> = match *action {
				"approved" => {
					sqlx::query(&base(", approved = $5, partial_payment = $6"))
						.bind(*action)
						.bind(at.block)
						.bind(at.ts_ms)
						.bind(*claim_id)
						.bind(amount.as_deref())
						.bind(partial.map(i64::from))
						.execute(&mut **tx)
						.await?;
					partial.map(|p| if p { "partial".into() } else { "full".into() })
				}
				"denied" => {
					sqlx::query(&base(", denial_reason = $5"))
						.bind(*action)
						.bind(at.block)
						.bind(at.ts_ms)
						.bind(*claim_id)
						.bind(*denial_reason)
						.execute(&mut **tx)
						.await?;
					denial_reason.map(|r| format!("reason {r}"))
				}
				"settled" | "resolved" => {
					sqlx::query(&base(", paid = $5, award = COALESCE($6, award)"))
						.bind(*action)
						.bind(at.block)
						.bind(at.ts_ms)
						.bind(*claim_id)
						.bind(amount.as_deref())
						.bind(award.as_deref())
						.execute(&mut **tx)
						.await?;
					award.as_ref().map(|a| format!("award {a}"))
				}
				"disputed" => {
					sqlx::query(&base(", escalated = $5"))
						.bind(*action)
						.bind(at.block)
						.bind(at.ts_ms)
						.bind(*claim_id)
						.bind(escalated.map(i64::from))
						.execute(&mut **tx)
						.await?;
					escalated.map(|e| if e { "escalated".into() } else { "disputed".into() })
				}
				_ => {
					sqlx::query(&base(""))
						.bind(*action)
						.bind(at.block)
						.bind(at.ts_ms)
						.bind(*claim_id)
						.execute(&mut **tx)
						.await?;
					None
				}
			};
			claim_event(tx, at, *claim_id, action, by.as_ref(), amount.as_ref(), detail).await?;
		}
		Fact::Provider { at, who, action, roles, credential_expires_at, count } => {
			sqlx::query("INSERT INTO provider_events (block, event_index, extrinsic_index, ts_ms, who, action, roles, credential_expires_at, count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
				.bind(at.block)
				.bind(at.event_index)
				.bind(at.extrinsic_index)
				.bind(at.ts_ms)
				.bind(who.map(|w| w.to_vec()))
				.bind(*action)
				.bind(roles.as_deref())
				.bind(*credential_expires_at)
				.bind(*count)
				.execute(&mut **tx)
				.await?;
		}
		Fact::Validator { at, action, who, session, count } => {
			sqlx::query("INSERT INTO validator_events (block, event_index, extrinsic_index, ts_ms, action, who, session, count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
				.bind(at.block)
				.bind(at.event_index)
				.bind(at.extrinsic_index)
				.bind(at.ts_ms)
				.bind(*action)
				.bind(who.map(|w| w.to_vec()))
				.bind(*session)
				.bind(*count)
				.execute(&mut **tx)
				.await?;
		}
	}
	Ok(())
}

async fn version_row(
	tx: &mut sqlx::Transaction<'_, Any>,
	at: &crate::facts::At,
	record_id: &[u8; 32],
	version: i64,
	digest: Option<&[u8; 32]>,
	action: &str,
	author: Option<&[u8; 32]>,
) -> Result<(), IndexerError> {
	sqlx::query("INSERT INTO record_versions (record_id, version, digest, action, block, event_index, extrinsic_index, ts_ms, author) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
		.bind(record_id.to_vec())
		.bind(version)
		.bind(digest.map(|d| d.to_vec()))
		.bind(action)
		.bind(at.block)
		.bind(at.event_index)
		.bind(at.extrinsic_index)
		.bind(at.ts_ms)
		.bind(author.map(|a| a.to_vec()))
		.execute(&mut **tx)
		.await?;
	Ok(())
}

async fn claim_event(
	tx: &mut sqlx::Transaction<'_, Any>,
	at: &crate::facts::At,
	claim_id: i64,
	action: &str,
	by: Option<&[u8; 32]>,
	amount: Option<&String>,
	detail: Option<String>,
) -> Result<(), IndexerError> {
	sqlx::query("INSERT INTO claim_events (block, event_index, extrinsic_index, ts_ms, claim_id, action, by_account, amount, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
		.bind(at.block)
		.bind(at.event_index)
		.bind(at.extrinsic_index)
		.bind(at.ts_ms)
		.bind(claim_id)
		.bind(action)
		.bind(by.map(|a| a.to_vec()))
		.bind(amount.map(|a| a.as_str()))
		.bind(detail)
		.execute(&mut **tx)
		.await?;
	Ok(())
}
