-- The foundation: the administrative tree, the registry, accounts, sessions, imports and the
-- audit chain. Times are milliseconds since the Unix epoch (UTC); dates are ISO text.
-- %ID% and %BLOB% are rendered per backend; everything else is common SQL.

CREATE TABLE districts (
    id %ID%,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE streets (
    id %ID%,
    district_id BIGINT NOT NULL REFERENCES districts (id),
    name TEXT NOT NULL,
    UNIQUE (district_id, name)
);

CREATE TABLE communities (
    id %ID%,
    street_id BIGINT NOT NULL REFERENCES streets (id),
    district_id BIGINT NOT NULL REFERENCES districts (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (street_id, name)
);

CREATE TABLE grids (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    name TEXT NOT NULL,
    UNIQUE (community_id, name)
);

CREATE TABLE buildings (
    id %ID%,
    grid_id BIGINT NOT NULL REFERENCES grids (id),
    community_id BIGINT NOT NULL REFERENCES communities (id),
    name TEXT NOT NULL,
    UNIQUE (community_id, name)
);
CREATE INDEX buildings_grid ON buildings (grid_id, id);

CREATE TABLE units (
    id %ID%,
    building_id BIGINT NOT NULL REFERENCES buildings (id),
    name TEXT NOT NULL,
    UNIQUE (building_id, name)
);

CREATE TABLE households (
    id %ID%,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    building_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    community_id BIGINT NOT NULL,
    room TEXT NOT NULL,
    phone TEXT,
    head_resident_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (unit_id, room)
);
CREATE INDEX households_community ON households (community_id, id);
CREATE INDEX households_grid ON households (grid_id, id);
CREATE INDEX households_building ON households (building_id, id);
CREATE INDEX households_room ON households (room);

CREATE TABLE residents (
    id %ID%,
    household_id BIGINT NOT NULL REFERENCES households (id),
    building_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    community_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    document_kind TEXT NOT NULL,
    -- The number sealed with an AEAD cipher, and a keyed hash for exact lookup.
    document_sealed %BLOB% NOT NULL,
    document_index %BLOB% NOT NULL UNIQUE,
    document_masked TEXT NOT NULL,
    sex TEXT,
    birth_date TEXT,
    phone TEXT,
    hukou TEXT NOT NULL,
    tenure TEXT NOT NULL,
    travel_status TEXT NOT NULL,
    travel_origin TEXT,
    returned_on TEXT,
    vulnerabilities BIGINT NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX residents_household ON residents (household_id);
CREATE INDEX residents_community ON residents (community_id, id);
CREATE INDEX residents_grid ON residents (grid_id, id);
CREATE INDEX residents_building ON residents (building_id, id);
CREATE INDEX residents_name ON residents (name, id);
CREATE INDEX residents_phone ON residents (phone);
CREATE INDEX residents_community_travel ON residents (community_id, travel_status, id);
CREATE INDEX residents_grid_travel ON residents (grid_id, travel_status, id);

-- What an import or an edit merged into an existing resident, and from where.
CREATE TABLE resident_merges (
    id %ID%,
    resident_id BIGINT NOT NULL REFERENCES residents (id),
    import_id BIGINT,
    source TEXT NOT NULL,
    changes TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX resident_merges_resident ON resident_merges (resident_id, id);

CREATE TABLE accounts (
    id %ID%,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    level TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    language TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id %ID%,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE login_attempts (
    id %ID%,
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    at BIGINT NOT NULL,
    succeeded BIGINT NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_client ON login_attempts (client, at);

CREATE TABLE imports (
    id %ID%,
    account_id BIGINT NOT NULL,
    community_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    total_rows BIGINT NOT NULL DEFAULT 0,
    processed_rows BIGINT NOT NULL DEFAULT 0,
    inserted BIGINT NOT NULL DEFAULT 0,
    merged BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    headers TEXT NOT NULL DEFAULT '[]',
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX imports_community ON imports (community_id, id);

CREATE TABLE import_rejects (
    id %ID%,
    import_id BIGINT NOT NULL REFERENCES imports (id),
    row_number BIGINT NOT NULL,
    column_name TEXT NOT NULL,
    code TEXT NOT NULL,
    detail TEXT NOT NULL,
    cells TEXT NOT NULL
);
CREATE INDEX import_rejects_import ON import_rejects (import_id, row_number);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    account_id BIGINT,
    account_name TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    community_id BIGINT,
    before_state TEXT,
    after_state TEXT,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_account ON audit_log (account_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq)
