-- Organisation-to-organisation exchange (PostgreSQL). Mirrors migrations/sqlite/0003_exchange.sql.
-- The audit trail of every exchange request (releases and denials, IHE BALP AuditEvents), the
-- disclosures this organisation owes the chain (consent.recordDisclosures), the nonces of
-- signed requests (replay protection), and verified copies received from other organisations.
CREATE INDEX resources_subject ON resources (subject, resource_type, id);

CREATE TABLE audit_events (
    id            TEXT    PRIMARY KEY,         -- a UUID: the AuditEvent's id
    recorded_ms   BIGINT  NOT NULL,
    interaction   TEXT    NOT NULL,            -- read | search-type | subscribe | retrieve
    outcome       BIGINT  NOT NULL,            -- 0 released/allowed, 4 denied, 8 failed (chain unreachable)
    outcome_desc  TEXT,
    requester     BYTEA,                        -- the requesting organisation (as claimed when denied)
    signer        BYTEA,                        -- the key that signed (a proxy of the requester, or itself)
    purpose       TEXT,
    resource_type TEXT,
    resource_id   TEXT,
    version       BIGINT,                      -- the version released
    record_id     BYTEA,
    patient       BYTEA,                        -- the patient's chain account
    basis         TEXT,                        -- consent | break-glass:<id>
    checked_at    BIGINT,                      -- the finalized block the access was checked at
    disclosure    BIGINT                       -- disclosures.seq of a release
);
CREATE INDEX audit_events_patient ON audit_events (patient, recorded_ms);
CREATE INDEX audit_events_recorded ON audit_events (recorded_ms);

CREATE TABLE disclosures (
    seq             BIGSERIAL PRIMARY KEY,
    recipient       BYTEA   NOT NULL,
    patient         BYTEA   NOT NULL,
    record_id       BYTEA   NOT NULL,
    purpose         BIGINT  NOT NULL,          -- the chain's Purpose index
    checked_at      BIGINT  NOT NULL,
    created_ms      BIGINT  NOT NULL,
    state           TEXT    NOT NULL,          -- pending | in_block | finalized | failed
    submitted_block BIGINT,                    -- best block when submitted (write-ahead mark)
    block_number    BIGINT, 
    block_hash      BYTEA,
    extrinsic_index BIGINT, 
    error           TEXT,
    finalized_ms    BIGINT
);
CREATE INDEX disclosures_state ON disclosures (state, seq);

CREATE TABLE request_nonces (
    signer  BYTEA   NOT NULL,
    nonce   TEXT    NOT NULL,
    created BIGINT  NOT NULL,                  -- the signature's created (Unix seconds)
    PRIMARY KEY (signer, nonce)
);
CREATE INDEX request_nonces_created ON request_nonces (created);

CREATE TABLE received (
    seq            BIGSERIAL PRIMARY KEY,
    custodian      BYTEA   NOT NULL,
    resource_type  TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    version        BIGINT  NOT NULL,           -- the on-chain version verified
    record_id      BYTEA   NOT NULL,
    patient        BYTEA   NOT NULL,
    content        TEXT    NOT NULL,           -- the anchored form (RFC 8785 canonical JSON)
    salt           BYTEA   NOT NULL,
    digest         BYTEA   NOT NULL,
    verified_block BIGINT  NOT NULL,
    verified_hash  BYTEA   NOT NULL,
    purpose        TEXT    NOT NULL,
    basis          TEXT,
    source_audit   TEXT,                       -- the custodian's AuditEvent id
    received_ms    BIGINT  NOT NULL
);
CREATE INDEX received_record ON received (record_id, version);
