-- The indexer's schema (SQLite). One row per fact, keyed by (block, event_index): a block is
-- written in one transaction together with its `blocks` row, so the highest block in `blocks`
-- is the resume point and a fact is never written twice.

-- Which chain this database indexes (genesis hash), checked at every start.
CREATE TABLE meta (
	name TEXT PRIMARY KEY,
	value BLOB NOT NULL
);

CREATE TABLE blocks (
	number BIGINT PRIMARY KEY,
	hash BLOB NOT NULL,
	ts_ms BIGINT NOT NULL,
	spec_version BIGINT NOT NULL,
	extrinsics BIGINT NOT NULL,
	events BIGINT NOT NULL
);
CREATE INDEX blocks_ts ON blocks (ts_ms);

-- Signed and general (e.g. fee-less patient) transactions: who signed, for whom (a proxy's real account, or the patient of a
-- fee-less patient call), the effective call, and its outcome with the error's name.
CREATE TABLE extrinsics (
	block BIGINT NOT NULL,
	idx BIGINT NOT NULL,
	hash BLOB NOT NULL,
	signer BLOB,
	real_account BLOB,
	pallet TEXT NOT NULL,
	call_name TEXT NOT NULL,
	success BIGINT NOT NULL,
	error TEXT,
	PRIMARY KEY (block, idx)
);
CREATE INDEX extrinsics_signer ON extrinsics (signer, block);
CREATE INDEX extrinsics_real ON extrinsics (real_account, block);

-- Accesses: consent.AccessLogged (kind 'logged') and consent.RecordDisclosed ('disclosed').
CREATE TABLE accesses (
	block BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	ts_ms BIGINT NOT NULL,
	kind TEXT NOT NULL,
	patient BLOB NOT NULL,
	accessor BLOB NOT NULL,
	custodian BLOB,
	signer BLOB,
	record_id BLOB NOT NULL,
	scope TEXT NOT NULL,
	purpose TEXT NOT NULL,
	basis TEXT NOT NULL,
	break_glass_id BIGINT,
	denial TEXT,
	checked_at BIGINT,
	PRIMARY KEY (block, event_index)
);
CREATE INDEX accesses_patient ON accesses (patient, block, event_index);
CREATE INDEX accesses_accessor ON accesses (accessor, block, event_index);

-- Consent history: grants, updates, revocations, expiries, guardians added and removed.
CREATE TABLE consent_events (
	block BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	ts_ms BIGINT NOT NULL,
	patient BLOB NOT NULL,
	party BLOB NOT NULL,
	action TEXT NOT NULL,
	scopes TEXT,
	purposes TEXT,
	expires_at BIGINT,
	consent_digest BLOB,
	by_account BLOB,
	by_role TEXT NOT NULL,
	PRIMARY KEY (block, event_index)
);
CREATE INDEX consent_events_patient ON consent_events (patient, block, event_index);
CREATE INDEX consent_events_party ON consent_events (party, block, event_index);

-- Break-glass windows: one row per window, updated as it closes and is reviewed.
CREATE TABLE break_glass (
	id BIGINT PRIMARY KEY,
	patient BLOB NOT NULL,
	provider BLOB NOT NULL,
	reason TEXT NOT NULL,
	opened_block BIGINT NOT NULL,
	opened_ts_ms BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	closed_block BIGINT,
	closed_ts_ms BIGINT,
	close_cause TEXT,
	reviewed_block BIGINT,
	reviewed_ts_ms BIGINT,
	verdict TEXT,
	unjustified_total BIGINT,
	suspended BIGINT
);
CREATE INDEX break_glass_patient ON break_glass (patient, id);
CREATE INDEX break_glass_provider ON break_glass (provider, id);
CREATE INDEX break_glass_unreviewed ON break_glass (verdict, id);

-- Records (latest state) and every version.
CREATE TABLE records (
	record_id BLOB PRIMARY KEY,
	subject BLOB NOT NULL,
	author BLOB NOT NULL,
	kind BIGINT NOT NULL,
	scope TEXT NOT NULL,
	version BIGINT NOT NULL,
	digest BLOB NOT NULL,
	status TEXT NOT NULL,
	retract_reason TEXT,
	anchored_block BIGINT NOT NULL,
	anchored_event_index BIGINT NOT NULL,
	updated_block BIGINT NOT NULL
);
CREATE INDEX records_subject ON records (subject, anchored_block, anchored_event_index);
CREATE INDEX records_author ON records (author, anchored_block);

CREATE TABLE record_versions (
	record_id BLOB NOT NULL,
	version BIGINT NOT NULL,
	digest BLOB,
	action TEXT NOT NULL,
	block BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	ts_ms BIGINT NOT NULL,
	author BLOB,
	PRIMARY KEY (block, event_index)
);
CREATE INDEX record_versions_record ON record_versions (record_id, block, event_index);

CREATE TABLE batches (
	batch_id BIGINT PRIMARY KEY,
	root BLOB NOT NULL,
	leaf_count BIGINT NOT NULL,
	author BLOB NOT NULL,
	block BIGINT NOT NULL,
	ts_ms BIGINT NOT NULL
);

-- Claims (latest state; amounts in the token's smallest unit, as decimal text) and events.
CREATE TABLE claims (
	claim_id BIGINT PRIMARY KEY,
	provider BLOB NOT NULL,
	insurer BLOB NOT NULL,
	patient BLOB NOT NULL,
	amount TEXT NOT NULL,
	digest BLOB NOT NULL,
	status TEXT NOT NULL,
	approved TEXT,
	partial_payment BIGINT,
	denial_reason BIGINT,
	paid TEXT,
	award TEXT,
	escalated BIGINT,
	submitted_block BIGINT NOT NULL,
	submitted_ts_ms BIGINT NOT NULL,
	updated_block BIGINT NOT NULL,
	updated_ts_ms BIGINT NOT NULL
);
CREATE INDEX claims_provider ON claims (provider, claim_id);
CREATE INDEX claims_insurer ON claims (insurer, status, claim_id);
CREATE INDEX claims_patient ON claims (patient, claim_id);

CREATE TABLE claim_events (
	block BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	ts_ms BIGINT NOT NULL,
	claim_id BIGINT NOT NULL,
	action TEXT NOT NULL,
	by_account BLOB,
	amount TEXT,
	detail TEXT,
	PRIMARY KEY (block, event_index)
);
CREATE INDEX claim_events_claim ON claim_events (claim_id, block, event_index);

-- Provider lifecycle and validator-set changes.
CREATE TABLE provider_events (
	block BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	ts_ms BIGINT NOT NULL,
	who BLOB,
	action TEXT NOT NULL,
	roles TEXT,
	credential_expires_at BIGINT,
	count BIGINT,
	PRIMARY KEY (block, event_index)
);
CREATE INDEX provider_events_who ON provider_events (who, block, event_index);

CREATE TABLE validator_events (
	block BIGINT NOT NULL,
	event_index BIGINT NOT NULL,
	extrinsic_index BIGINT,
	ts_ms BIGINT NOT NULL,
	action TEXT NOT NULL,
	who BLOB,
	session BIGINT,
	count BIGINT,
	PRIMARY KEY (block, event_index)
);
