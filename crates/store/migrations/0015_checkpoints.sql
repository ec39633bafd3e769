-- Checkpoints (C4): gates and their guards' shifts, passes, visitors and the passage log.

CREATE TABLE gates (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    name TEXT NOT NULL,
    -- 'both', 'in' or 'out'.
    direction TEXT NOT NULL,
    -- Local opening hours as HH:MM; both NULL for a gate open day and night.
    opens TEXT,
    closes TEXT,
    closed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (community_id, name)
);

-- The buildings a gate serves; a gate with none serves the whole community.
CREATE TABLE gate_buildings (
    gate_id BIGINT NOT NULL REFERENCES gates (id),
    building_id BIGINT NOT NULL REFERENCES buildings (id),
    PRIMARY KEY (gate_id, building_id)
);

-- Which guard stands at which gate, from when to when (ms).
CREATE TABLE gate_shifts (
    id %ID%,
    gate_id BIGINT NOT NULL REFERENCES gates (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX gate_shifts_account ON gate_shifts (account_id, ends_at);
CREATE INDEX gate_shifts_gate ON gate_shifts (gate_id, ends_at);

-- A pass. Its code is signed when shown, from these columns, so nothing secret is stored.
CREATE TABLE passes (
    id %ID%,
    -- 'household', 'commuter' or 'vehicle'.
    kind TEXT NOT NULL,
    -- 'live', 'suspended' (its household is sealed) or 'revoked' (lost, reissued, withdrawn).
    state TEXT NOT NULL,
    household_id BIGINT NOT NULL REFERENCES households (id),
    building_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    community_id BIGINT NOT NULL,
    -- The commuter a commuter pass is for.
    resident_id BIGINT REFERENCES residents (id),
    -- The car of a vehicle pass.
    plate TEXT,
    employer TEXT,
    -- The employer's proof, as checked by staff: the stamp's date and who checked it.
    proof_stamped_on TEXT,
    proof_checked_by BIGINT,
    -- A commuter's days (1 = Monday … 7 = Sunday, e.g. '12345') and hours ('07:00-19:00').
    valid_days TEXT,
    valid_hours TEXT,
    quota_exits BIGINT NOT NULL,
    quota_days BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- Why it is suspended or revoked: 'quarantine', 'lost', 'reissued', 'withdrawn'.
    state_reason TEXT,
    state_changed_at BIGINT NOT NULL,
    replaces_id BIGINT,
    -- The resident's personal link to the pass, as a hash; the link is shown once, when made.
    link_hash TEXT UNIQUE,
    created_by BIGINT NOT NULL
);
-- One person, one pass: at most one pass of each kind not revoked per household, commuter and car.
CREATE UNIQUE INDEX passes_one_household ON passes (household_id)
    WHERE kind = 'household' AND state <> 'revoked';
CREATE UNIQUE INDEX passes_one_commuter ON passes (resident_id)
    WHERE kind = 'commuter' AND state <> 'revoked';
CREATE UNIQUE INDEX passes_one_vehicle ON passes (plate)
    WHERE kind = 'vehicle' AND state <> 'revoked';
CREATE INDEX passes_household ON passes (household_id, id);
CREATE INDEX passes_community ON passes (community_id, kind, id);
CREATE INDEX passes_grid ON passes (grid_id, kind, id);
CREATE INDEX passes_building ON passes (building_id, kind, id);
-- The revocation list a gate caches: a community's passes not live, and its version (the
-- latest change of state).
CREATE INDEX passes_not_live ON passes (community_id, expires_at) WHERE state <> 'live';
CREATE INDEX passes_changed ON passes (community_id, state_changed_at);

-- A visitor, found by ID number on the next visit.
CREATE TABLE visitors (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    name TEXT NOT NULL,
    document_kind TEXT NOT NULL,
    document_sealed %BLOB% NOT NULL,
    document_index %BLOB% NOT NULL,
    document_masked TEXT NOT NULL,
    phone TEXT NOT NULL,
    origin TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    UNIQUE (community_id, document_index)
);

-- Every passage through a gate, admitted, refused or let through against the rule.
CREATE TABLE passages (
    id %ID%,
    gate_id BIGINT NOT NULL REFERENCES gates (id),
    community_id BIGINT NOT NULL,
    -- When it happened at the gate (ms), which is earlier than created_at for a passage the
    -- gate recorded offline.
    at BIGINT NOT NULL,
    -- 'out' or 'in'.
    direction TEXT NOT NULL,
    pass_id BIGINT,
    visitor_id BIGINT,
    household_id BIGINT,
    plate TEXT,
    persons BIGINT NOT NULL,
    temperature_tenths BIGINT,
    -- 'admitted', 'refused' or 'overridden'.
    result TEXT NOT NULL,
    -- The rule that refused (kept for an overridden passage too).
    reason TEXT,
    -- For a refused passage: when the household's next exit is allowed (ms).
    next_exit_at BIGINT,
    purpose TEXT,
    guard_id BIGINT NOT NULL,
    override_reason TEXT,
    override_requested_by TEXT,
    override_supervisor TEXT,
    -- Set when the gate let a passage through offline that the rule refuses once the
    -- passage reaches the server (the household out twice at two gates): for the supervisor.
    conflict BIGINT NOT NULL DEFAULT 0,
    -- The gate's own id for the passage, so a passage sent twice is stored once.
    client_id TEXT UNIQUE,
    created_at BIGINT NOT NULL
);
-- A passage is of a pass or of a visitor: each index holds only the rows it finds, so a
-- visitor's index is small and no planner mistakes it for a way to every pass's passages.
CREATE INDEX passages_gate ON passages (gate_id, at);
CREATE INDEX passages_pass ON passages (pass_id, at) WHERE pass_id IS NOT NULL;
CREATE INDEX passages_household ON passages (household_id, at) WHERE household_id IS NOT NULL;
CREATE INDEX passages_visitor ON passages (visitor_id, at) WHERE visitor_id IS NOT NULL;
CREATE INDEX passages_community_exceptions ON passages (community_id, id)
    WHERE result = 'overridden' OR conflict = 1;
