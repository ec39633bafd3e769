-- Quarantine orders (issue 4, section 2). The place columns are copied from the resident so
-- jurisdiction-scoped lists filter and sort on one table's indexes.

CREATE TABLE quarantine_orders (
    id %ID%,
    resident_id BIGINT NOT NULL REFERENCES residents (id),
    household_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    community_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    start_date TEXT NOT NULL,
    days BIGINT NOT NULL,
    end_date TEXT NOT NULL,
    door_sealed BIGINT NOT NULL DEFAULT 0,
    door_sealed_at BIGINT,
    camera_installed BIGINT NOT NULL DEFAULT 0,
    doctor_id BIGINT,
    grid_worker_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- At most one planned or active order per resident, whatever the application checks.
CREATE UNIQUE INDEX quarantine_orders_open_resident ON quarantine_orders (resident_id)
    WHERE state IN ('planned', 'active');
CREATE INDEX quarantine_orders_resident ON quarantine_orders (resident_id, id);
CREATE INDEX quarantine_orders_household ON quarantine_orders (household_id, id);
CREATE INDEX quarantine_orders_community ON quarantine_orders (community_id, state, id);
CREATE INDEX quarantine_orders_grid ON quarantine_orders (grid_id, state, id);
CREATE INDEX quarantine_orders_building ON quarantine_orders (building_id, state, id);
CREATE INDEX quarantine_orders_community_end ON quarantine_orders (community_id, end_date, id);
CREATE INDEX quarantine_orders_grid_end ON quarantine_orders (grid_id, end_date, id)
