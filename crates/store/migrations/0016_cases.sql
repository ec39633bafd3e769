-- Cases, seals, risk zones and tracing (C6). The place columns are copied from where the case
-- lives or stays, so jurisdiction-scoped lists filter on one table's indexes.

CREATE TABLE cases (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    grid_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL,
    unit_id BIGINT,
    household_id BIGINT,
    -- The person: a resident, a visitor from the gate log, or someone registered nowhere.
    resident_id BIGINT REFERENCES residents (id),
    visitor_id BIGINT REFERENCES visitors (id),
    person_name TEXT NOT NULL,
    -- 'fever_alert', 'hotline', 'hospital', 'cdc', 'screening', 'returnee', 'contact'.
    source TEXT NOT NULL,
    -- 'suspected', 'confirmed' or 'excluded'.
    status TEXT NOT NULL,
    suspected_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    excluded_at BIGINT,
    -- ISO dates; tracing counts back from the earlier of them.
    onset_on TEXT,
    tested_on TEXT,
    -- The reporting hospital's or the CDC's reference.
    reference TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    -- The case this one was traced from, for the transmission chain.
    traced_from_id BIGINT REFERENCES cases (id),
    report_sent_at BIGINT,
    report_sent_by BIGINT,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_community ON cases (community_id, id);
CREATE INDEX cases_grid ON cases (grid_id, id);
CREATE INDEX cases_building ON cases (building_id, id);
CREATE INDEX cases_resident ON cases (resident_id) WHERE resident_id IS NOT NULL;
CREATE INDEX cases_traced_from ON cases (traced_from_id) WHERE traced_from_id IS NOT NULL;

-- Where a case was, and when (ms): a building, a gate, a household visited, or a place
-- outside named in words.
CREATE TABLE case_movements (
    id %ID%,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    -- 'building', 'gate', 'household' or 'outside'.
    kind TEXT NOT NULL,
    building_id BIGINT,
    gate_id BIGINT,
    household_id BIGINT,
    place TEXT NOT NULL DEFAULT '',
    from_at BIGINT NOT NULL,
    to_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_movements_case ON case_movements (case_id, from_at);

-- A building sealed for a case: every household in it is sealed while a seal is open.
CREATE TABLE seals (
    id %ID%,
    community_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL REFERENCES buildings (id),
    case_id BIGINT NOT NULL REFERENCES cases (id),
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    -- 'excluded', 'rule' (days without a new case) or 'lead'.
    end_reason TEXT,
    end_note TEXT,
    ended_by BIGINT,
    UNIQUE (building_id, case_id)
);
CREATE INDEX seals_open_building ON seals (building_id) WHERE ended_at IS NULL;
CREATE INDEX seals_community ON seals (community_id, id);

-- The outbreak point (a confirmed case's unit) and the alert zone around it (buildings).
CREATE TABLE risk_zones (
    id %ID%,
    community_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL REFERENCES buildings (id),
    -- The outbreak point's unit; NULL for a building of the alert zone.
    unit_id BIGINT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    -- 'outbreak_point' or 'alert_zone'.
    kind TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT,
    end_note TEXT,
    ended_by BIGINT
);
CREATE INDEX risk_zones_open ON risk_zones (community_id, building_id) WHERE ended_at IS NULL;
CREATE INDEX risk_zones_case ON risk_zones (case_id);

-- Disinfection of a zone's building after a confirmed case.
CREATE TABLE disinfection_tasks (
    id %ID%,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    community_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL,
    due_date TEXT NOT NULL,
    -- 'open' or 'done'.
    state TEXT NOT NULL,
    done_at BIGINT,
    done_by BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (case_id, building_id)
);
CREATE INDEX disinfection_tasks_community ON disinfection_tasks (community_id, state, id);

-- A contact traced from a case and put on follow-up: a resident, a visitor, or a worker.
CREATE TABLE case_contacts (
    id %ID%,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    community_id BIGINT NOT NULL,
    resident_id BIGINT REFERENCES residents (id),
    visitor_id BIGINT REFERENCES visitors (id),
    account_id BIGINT REFERENCES accounts (id),
    name TEXT NOT NULL,
    -- The strongest overlap: 'household', 'unit', 'visited', 'visitor', 'gate', 'building',
    -- 'worker'.
    strength TEXT NOT NULL,
    -- Why, as JSON: each overlap's log, time and place.
    evidence TEXT NOT NULL,
    -- 'self_quarantine', 'quarantine_order' or 'cdc_list'.
    follow_up TEXT NOT NULL,
    quarantine_order_id BIGINT,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX case_contacts_resident ON case_contacts (case_id, resident_id)
    WHERE resident_id IS NOT NULL;
CREATE UNIQUE INDEX case_contacts_visitor ON case_contacts (case_id, visitor_id)
    WHERE visitor_id IS NOT NULL;
CREATE UNIQUE INDEX case_contacts_account ON case_contacts (case_id, account_id)
    WHERE account_id IS NOT NULL;
CREATE INDEX case_contacts_case ON case_contacts (case_id, id);
CREATE INDEX case_contacts_contact_resident ON case_contacts (resident_id)
    WHERE resident_id IS NOT NULL;

-- The community's control level as the lead set it, newest last.
CREATE TABLE control_levels (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    -- 'key' or 'general'.
    level TEXT NOT NULL,
    reason TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    set_by BIGINT NOT NULL
);
CREATE INDEX control_levels_community ON control_levels (community_id, id);

-- Tracing asks who worked at a household in a time window.
CREATE INDEX rubbish_stops_household ON rubbish_stops (household_id, visited_at);
CREATE INDEX screening_attempts_household_at ON screening_attempts (household_id, at);
