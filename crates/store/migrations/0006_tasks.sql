-- Supply-delivery tasks and rubbish rounds of home quarantine (issue 4, section 4). The place
-- columns are copied from the household so jurisdiction-scoped lists filter on one table's
-- indexes; place_key sorts addresses by building, unit and room as people read them.

CREATE TABLE delivery_tasks (
    id %ID%,
    household_id BIGINT NOT NULL REFERENCES households (id),
    building_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    community_id BIGINT NOT NULL,
    place_key TEXT NOT NULL,
    due_date TEXT NOT NULL,
    state TEXT NOT NULL,
    volunteer_id BIGINT,
    needs TEXT NOT NULL DEFAULT '',
    asked_at BIGINT,
    asked_by BIGINT,
    delivered_at BIGINT,
    delivered_by BIGINT,
    confirmed_at BIGINT,
    confirmed_by BIGINT,
    confirmed_via TEXT,
    cancelled_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- One delivery per household and day, so generating a day twice creates nothing new.
    UNIQUE (household_id, due_date)
);
-- The volunteer's phone list: their tasks in a state, in address order.
CREATE INDEX delivery_tasks_volunteer ON delivery_tasks (volunteer_id, state, place_key, id);
CREATE INDEX delivery_tasks_community ON delivery_tasks (community_id, state, id);
CREATE INDEX delivery_tasks_grid ON delivery_tasks (grid_id, state, id);
CREATE INDEX delivery_tasks_building ON delivery_tasks (building_id, state, id);
-- Generation: who served a household on the previous delivery day; what is still pending.
CREATE INDEX delivery_tasks_due ON delivery_tasks (due_date, household_id);
CREATE INDEX delivery_tasks_state ON delivery_tasks (state, household_id);

CREATE TABLE rubbish_rounds (
    id %ID%,
    grid_id BIGINT NOT NULL,
    community_id BIGINT NOT NULL,
    round_date TEXT NOT NULL,
    state TEXT NOT NULL,
    volunteer_id BIGINT,
    -- Kept counts of the round's doors and of those not yet visited.
    stops BIGINT NOT NULL DEFAULT 0,
    pending BIGINT NOT NULL DEFAULT 0,
    opened_at BIGINT NOT NULL,
    done_at BIGINT,
    done_by BIGINT,
    UNIQUE (grid_id, round_date)
);
CREATE INDEX rubbish_rounds_community ON rubbish_rounds (community_id, round_date, id);
CREATE INDEX rubbish_rounds_volunteer ON rubbish_rounds (volunteer_id, round_date, id);

CREATE TABLE rubbish_stops (
    id %ID%,
    round_id BIGINT NOT NULL REFERENCES rubbish_rounds (id),
    household_id BIGINT NOT NULL REFERENCES households (id),
    place_key TEXT NOT NULL,
    state TEXT NOT NULL,
    visited_at BIGINT,
    visited_by BIGINT,
    UNIQUE (round_id, household_id)
);
CREATE INDEX rubbish_stops_order ON rubbish_stops (round_id, place_key, id);

-- Generation reads the active home orders and the sealed doors without walking every order.
CREATE INDEX quarantine_orders_state_kind ON quarantine_orders (state, kind, household_id)
