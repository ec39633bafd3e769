-- Tokens that end and show their last use; failed sign-ins counted per (username, client) and per
-- client, in the database so that several servers share the limits.

ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- scope 'user': one row per (username, client); scope 'client': username is '' and the row
-- counts a client's failures over all usernames.
CREATE TABLE login_throttle (
    scope TEXT NOT NULL,
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    refused BIGINT NOT NULL DEFAULT 0,
    audited_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, username, client)
);
