-- The 24-hour hotline and residents' complaints (issue 12, sections 3 and 4). Nothing here is
-- deleted: a shift ended early keeps its row, a follow-up done keeps its note, a complaint its
-- replies. Full numbers are stored for calling back and shown masked.

-- Who answers the hotline of a community, from when to when (ms).
CREATE TABLE hotline_shifts (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX hotline_shifts_account ON hotline_shifts (account_id, ends_at);
CREATE INDEX hotline_shifts_community ON hotline_shifts (community_id, ends_at);

-- A call answered. The place columns are the household's when it is known, so a grid's
-- reader finds its calls; community_id is the answering shift's community.
CREATE TABLE hotline_calls (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    grid_id BIGINT,
    building_id BIGINT,
    at BIGINT NOT NULL,
    answered_by BIGINT NOT NULL REFERENCES accounts (id),
    shift_id BIGINT NOT NULL REFERENCES hotline_shifts (id),
    caller_name TEXT NOT NULL,
    caller_number TEXT NOT NULL,
    caller_number_masked TEXT NOT NULL,
    household_id BIGINT REFERENCES households (id),
    resident_id BIGINT REFERENCES residents (id),
    topic TEXT NOT NULL,
    said TEXT NOT NULL,
    outcome TEXT NOT NULL,
    -- What the call started: a complaint filed, a delivery asked for.
    complaint_id BIGINT,
    delivery_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX hotline_calls_community ON hotline_calls (community_id, at);
CREATE INDEX hotline_calls_grid ON hotline_calls (grid_id, at);
CREATE INDEX hotline_calls_building ON hotline_calls (building_id, at);

-- The work a call leaves for someone: an owner and a due time.
CREATE TABLE hotline_followups (
    id %ID%,
    call_id BIGINT NOT NULL REFERENCES hotline_calls (id),
    community_id BIGINT NOT NULL,
    grid_id BIGINT,
    building_id BIGINT,
    owner_id BIGINT NOT NULL REFERENCES accounts (id),
    what TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    -- 'open' or 'done'.
    state TEXT NOT NULL,
    done_at BIGINT,
    done_by BIGINT,
    done_note TEXT,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX hotline_followups_owner ON hotline_followups (owner_id, state, due_at);
CREATE INDEX hotline_followups_community ON hotline_followups (community_id, state, due_at);
CREATE INDEX hotline_followups_call ON hotline_followups (call_id);

-- A resident's complaint or request, filed on the public page or through the hotline.
CREATE TABLE complaints (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    grid_id BIGINT,
    building_id BIGINT,
    -- 'public' or 'hotline'.
    source TEXT NOT NULL,
    call_id BIGINT,
    category TEXT NOT NULL,
    what TEXT NOT NULL,
    place TEXT NOT NULL,
    contact TEXT,
    contact_masked TEXT,
    -- 'filed', 'assigned', 'replied' or 'closed'.
    state TEXT NOT NULL,
    owner_id BIGINT REFERENCES accounts (id),
    filed_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    assigned_at BIGINT,
    replied_at BIGINT,
    closed_at BIGINT,
    closed_by BIGINT,
    close_reason TEXT,
    -- The resident's answer on their link: 'satisfied', 'neutral' or 'unsatisfied'.
    satisfaction TEXT,
    satisfaction_note TEXT,
    satisfaction_at BIGINT,
    -- Times the resident's dissatisfaction sent it back to its owner.
    reopened BIGINT NOT NULL DEFAULT 0,
    -- The resident's personal link, as a hash; the link is shown once, when filed.
    link_hash TEXT NOT NULL UNIQUE,
    updated_at BIGINT NOT NULL
);
CREATE INDEX complaints_community ON complaints (community_id, state, due_at);
CREATE INDEX complaints_grid ON complaints (grid_id, state, due_at);
CREATE INDEX complaints_building ON complaints (building_id, state, due_at);
CREATE INDEX complaints_owner ON complaints (owner_id, state, due_at);

-- Every reply to the resident, in order; the link shows them all.
CREATE TABLE complaint_replies (
    id %ID%,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    body TEXT NOT NULL,
    by_account BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX complaint_replies_complaint ON complaint_replies (complaint_id, id);

-- Complaints filed on the public page per client, for the per-client rate limit.
CREATE TABLE complaint_submissions (
    id %ID%,
    client TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX complaint_submissions_client ON complaint_submissions (client, at)
