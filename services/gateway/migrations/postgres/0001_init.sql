-- The gateway's store (PostgreSQL). Mirrors migrations/sqlite/0001_init.sql.
-- One row per resource; one row per version (content and salt erased on retraction);
-- one outbox row per version not yet finalized on chain.
CREATE TABLE resources (
    resource_type   TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    local_id        BYTEA   NOT NULL,          -- 32 random bytes: the author's key of the record
    record_id       BYTEA   NOT NULL,          -- record_id_of(organisation, local_id)
    patient         TEXT    NOT NULL,          -- "Patient/<id>"
    subject         BYTEA   NOT NULL,          -- the patient's 32-byte chain account
    scope           BIGINT  NOT NULL,
    kind            BIGINT  NOT NULL,
    current_version BIGINT  NOT NULL,
    deleted         BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (resource_type, id)
);
CREATE UNIQUE INDEX resources_record_id ON resources (record_id);
CREATE INDEX resources_patient ON resources (patient, resource_type, id);

CREATE TABLE versions (
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version       BIGINT  NOT NULL,
    op            TEXT    NOT NULL,            -- anchor | amend | retract
    content       TEXT,                        -- the stored resource; NULL once erased
    salt          BYTEA,                        -- NULL once erased
    digest        BYTEA,                        -- NULL for a retraction
    chain_version BIGINT ,                     -- the on-chain version (NULL for a retraction)
    last_updated  TEXT    NOT NULL,
    anchor_state  TEXT    NOT NULL,            -- pending | in_block | finalized | failed
    block_number  BIGINT ,
    block_hash    BYTEA,
    anchor_error  TEXT,
    retract_reason TEXT,                       -- a retraction's reason code
    created_ms    BIGINT  NOT NULL,            -- acknowledged (ms since the epoch)
    finalized_ms  BIGINT ,                     -- its anchor's block seen finalized
    PRIMARY KEY (resource_type, id, version)
);
CREATE INDEX versions_anchor_state ON versions (anchor_state, block_number);

CREATE TABLE outbox (
    seq           BIGSERIAL PRIMARY KEY,
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version       BIGINT  NOT NULL,
    created_ms    BIGINT  NOT NULL,
    attempts      BIGINT  NOT NULL DEFAULT 0,
    submitted_ms  BIGINT                       -- set before its first submission
);
