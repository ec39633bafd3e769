-- The versions of the key that signs checkpoint passes. Each key is derived from the master key
-- and its version, so no new secret is stored; rotating adds a version, and the public keys of
-- every version stay published so that passes signed before a rotation verify until they expire.
CREATE TABLE pass_keys (
    version BIGINT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
INSERT INTO pass_keys (version, created_at) VALUES (1, 0);
