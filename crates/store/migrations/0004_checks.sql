-- Twice-daily checks, self-report links, alerts, and the table of scheduled job runs (issue 4,
-- section 3). Place columns are copied from the order so scoped lists filter on one table.

-- One row per record. A correction supersedes the record it replaces (superseded_at set) and
-- names it (replaces_id), so the first values are kept; one current record per slot.
CREATE TABLE checks (
    id %ID%,
    order_id BIGINT NOT NULL REFERENCES quarantine_orders (id),
    community_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL,
    slot_date TEXT NOT NULL,
    slot_part TEXT NOT NULL,
    -- Tenths of a degree Celsius.
    temperature BIGINT NOT NULL,
    -- Symptom codes, comma-separated, in form order.
    symptoms TEXT NOT NULL,
    other_symptom TEXT NOT NULL,
    febrile BIGINT NOT NULL,
    method TEXT NOT NULL,
    recorded_by BIGINT,
    recorder_name TEXT NOT NULL,
    link_id BIGINT,
    checked_at BIGINT NOT NULL,
    replaces_id BIGINT,
    correction_reason TEXT,
    superseded_at BIGINT
);
CREATE UNIQUE INDEX checks_current_slot ON checks (order_id, slot_date, slot_part)
    WHERE superseded_at IS NULL;
CREATE INDEX checks_order ON checks (order_id, id);
-- The current records of one slot: what the missed-check job compares the active orders with.
CREATE INDEX checks_slot ON checks (slot_date, slot_part, order_id) WHERE superseded_at IS NULL;
-- Self-reports per link in the last hour, for the rate limit.
CREATE INDEX checks_link ON checks (link_id, checked_at);

-- At most one live link per order; the token itself is never stored.
CREATE TABLE self_report_links (
    id %ID%,
    order_id BIGINT NOT NULL REFERENCES quarantine_orders (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_by BIGINT,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX self_report_links_live ON self_report_links (order_id)
    WHERE revoked_at IS NULL;
CREATE INDEX self_report_links_order ON self_report_links (order_id, id);

-- Accepted self-reports per client, for the per-client rate limit.
CREATE TABLE self_report_submissions (
    id %ID%,
    link_id BIGINT NOT NULL,
    client TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX self_report_submissions_client ON self_report_submissions (client, at);

CREATE TABLE check_alerts (
    id %ID%,
    kind TEXT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES quarantine_orders (id),
    check_id BIGINT,
    community_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL,
    slot_date TEXT NOT NULL,
    slot_part TEXT NOT NULL,
    state TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    acknowledged_by BIGINT,
    acknowledged_at BIGINT,
    resolved_by BIGINT,
    resolved_at BIGINT,
    resolution_note TEXT
);
-- Nothing is raised twice for one slot, whichever server or transaction tries.
CREATE UNIQUE INDEX check_alerts_slot ON check_alerts (order_id, slot_date, slot_part, kind);
-- Worklists: unresolved alerts newest first, per place, straight from the index.
CREATE INDEX check_alerts_open_community ON check_alerts (community_id, id)
    WHERE state <> 'resolved';
CREATE INDEX check_alerts_open_grid ON check_alerts (grid_id, id) WHERE state <> 'resolved';
CREATE INDEX check_alerts_open_building ON check_alerts (building_id, id)
    WHERE state <> 'resolved';
CREATE INDEX check_alerts_open_order ON check_alerts (order_id, id) WHERE state <> 'resolved';
-- Worklist headings: unresolved alerts counted by kind from the index alone.
CREATE INDEX check_alerts_open_community_kind ON check_alerts (community_id, kind)
    WHERE state <> 'resolved';
CREATE INDEX check_alerts_open_grid_kind ON check_alerts (grid_id, kind) WHERE state <> 'resolved';
CREATE INDEX check_alerts_open_building_kind ON check_alerts (building_id, kind)
    WHERE state <> 'resolved';
CREATE INDEX check_alerts_community ON check_alerts (community_id, state, id);
CREATE INDEX check_alerts_grid ON check_alerts (grid_id, state, id);

-- A doctor's orders, for the worklist; active orders by start, for the jobs.
CREATE INDEX quarantine_orders_doctor ON quarantine_orders (doctor_id, state, id);
CREATE INDEX quarantine_orders_state_start ON quarantine_orders (state, start_date);

-- One row per (job, period): inserted in the same transaction as the job's work, so a period is
-- handled once across restarts and servers.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    period TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    outcome TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job, period)
)
