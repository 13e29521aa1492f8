-- Organisation-to-organisation exchange (SQLite). Mirrors migrations/postgres/0003_exchange.sql.
-- The audit trail of every exchange request (releases and denials, IHE BALP AuditEvents), the
-- disclosures this organisation owes the chain (consent.recordDisclosures), the nonces of
-- signed requests (replay protection), and verified copies received from other organisations.
CREATE INDEX resources_subject ON resources (subject, resource_type, id);

CREATE TABLE audit_events (
    id            TEXT    PRIMARY KEY,         -- a UUID: the AuditEvent's id
    recorded_ms   INTEGER NOT NULL,
    interaction   TEXT    NOT NULL,            -- read | search-type | subscribe | retrieve
    outcome       INTEGER NOT NULL,            -- 0 released/allowed, 4 denied, 8 failed (chain unreachable)
    outcome_desc  TEXT,
    requester     BLOB,                        -- the requesting organisation (as claimed when denied)
    signer        BLOB,                        -- the key that signed (a proxy of the requester, or itself)
    purpose       TEXT,
    resource_type TEXT,
    resource_id   TEXT,
    version       INTEGER,                     -- the version released
    record_id     BLOB,
    patient       BLOB,                        -- the patient's chain account
    basis         TEXT,                        -- consent | break-glass:<id>
    checked_at    INTEGER,                     -- the finalized block the access was checked at
    disclosure    INTEGER                      -- disclosures.seq of a release
);
CREATE INDEX audit_events_patient ON audit_events (patient, recorded_ms);
CREATE INDEX audit_events_recorded ON audit_events (recorded_ms);

CREATE TABLE disclosures (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient       BLOB    NOT NULL,
    patient         BLOB    NOT NULL,
    record_id       BLOB    NOT NULL,
    purpose         INTEGER NOT NULL,          -- the chain's Purpose index
    checked_at      INTEGER NOT NULL,
    created_ms      INTEGER NOT NULL,
    state           TEXT    NOT NULL,          -- pending | in_block | finalized | failed
    submitted_block INTEGER,                   -- best block when submitted (write-ahead mark)
    block_number    INTEGER,
    block_hash      BLOB,
    extrinsic_index INTEGER,
    error           TEXT,
    finalized_ms    INTEGER
);
CREATE INDEX disclosures_state ON disclosures (state, seq);

CREATE TABLE request_nonces (
    signer  BLOB    NOT NULL,
    nonce   TEXT    NOT NULL,
    created INTEGER NOT NULL,                  -- the signature's created (Unix seconds)
    PRIMARY KEY (signer, nonce)
);
CREATE INDEX request_nonces_created ON request_nonces (created);

CREATE TABLE received (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    custodian      BLOB    NOT NULL,
    resource_type  TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    version        INTEGER NOT NULL,           -- the on-chain version verified
    record_id      BLOB    NOT NULL,
    patient        BLOB    NOT NULL,
    content        TEXT    NOT NULL,           -- the anchored form (RFC 8785 canonical JSON)
    salt           BLOB    NOT NULL,
    digest         BLOB    NOT NULL,
    verified_block INTEGER NOT NULL,
    verified_hash  BLOB    NOT NULL,
    purpose        TEXT    NOT NULL,
    basis          TEXT,
    source_audit   TEXT,                       -- the custodian's AuditEvent id
    received_ms    INTEGER NOT NULL
);
CREATE INDEX received_record ON received (record_id, version);
