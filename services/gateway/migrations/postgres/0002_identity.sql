-- Which organisation and which chain this store's records belong to: record ids derive from
-- the organisation's account, anchors live on one chain (its genesis hash). The gateway refuses
-- to run against another organisation or anchor onto another chain.
CREATE TABLE identity (
    name  TEXT PRIMARY KEY,                    -- 'organisation' | 'genesis'
    value BYTEA NOT NULL
);
