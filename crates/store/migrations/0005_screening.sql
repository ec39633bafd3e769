-- Screening campaigns (issue 4, section 1): questions, scope, sub-teams, the households of the
-- scope with their state, attempts and answers. The place columns are copied from the household
-- so jurisdiction-scoped lists filter and sort on one table's indexes; progress is read from
-- screening_counts, kept in the transaction of every change.

CREATE TABLE screening_campaigns (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    name TEXT NOT NULL,
    -- JSON: [{"kind": "returned_from_region_since", "region": "4201", "since": "2020-01-10"}]
    questions TEXT NOT NULL,
    whole_community BIGINT NOT NULL,
    unreachable_after BIGINT NOT NULL,
    state TEXT NOT NULL,
    -- The largest household id enrolled: households registered later have larger ids (every
    -- write holds the audit chain's head, so ids are taken in commit order) and are found by key.
    enrolled_through BIGINT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (community_id, name)
);
CREATE INDEX screening_campaigns_community ON screening_campaigns (community_id, id);

-- The grids of a campaign that does not cover the whole community.
CREATE TABLE screening_campaign_grids (
    campaign_id BIGINT NOT NULL REFERENCES screening_campaigns (id),
    grid_id BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, grid_id)
);

CREATE TABLE screening_teams (
    id %ID%,
    campaign_id BIGINT NOT NULL REFERENCES screening_campaigns (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (campaign_id, name)
);

CREATE TABLE screening_team_members (
    team_id BIGINT NOT NULL REFERENCES screening_teams (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    campaign_id BIGINT NOT NULL,
    PRIMARY KEY (team_id, account_id)
);
CREATE INDEX screening_team_members_account ON screening_team_members (account_id, campaign_id);
CREATE INDEX screening_team_members_campaign ON screening_team_members (campaign_id, team_id);

-- One row per household of the scope. team_id 0: not assigned yet. place_key: building, unit
-- and room as one fixed-width text, so a household registered later finds its neighbours by
-- key; position: its place in that order, spaced so that later households fit between;
-- list_rank: its state's band and its position, the one key a worker's list is ordered and
-- paged by (open first, then unreachable, then done).
CREATE TABLE screening_households (
    campaign_id BIGINT NOT NULL REFERENCES screening_campaigns (id),
    household_id BIGINT NOT NULL REFERENCES households (id),
    community_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL,
    team_id BIGINT NOT NULL,
    place_key TEXT NOT NULL,
    position BIGINT NOT NULL,
    list_rank BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    failed_attempts BIGINT NOT NULL,
    matched BIGINT NOT NULL,
    last_contact TEXT,
    last_attempt_at BIGINT,
    PRIMARY KEY (campaign_id, household_id)
);
CREATE INDEX screening_households_rank ON screening_households (campaign_id, list_rank);
CREATE INDEX screening_households_team ON screening_households (campaign_id, team_id, list_rank);
CREATE INDEX screening_households_grid ON screening_households (campaign_id, grid_id, list_rank);
CREATE INDEX screening_households_building ON screening_households (campaign_id, building_id, list_rank);
CREATE INDEX screening_households_household ON screening_households (household_id);
CREATE INDEX screening_households_place ON screening_households (campaign_id, place_key);

-- Households per state and residents matching a question, per (campaign, team, grid).
CREATE TABLE screening_counts (
    campaign_id BIGINT NOT NULL,
    team_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    open_households BIGINT NOT NULL,
    unreachable_households BIGINT NOT NULL,
    done_households BIGINT NOT NULL,
    matched_residents BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, team_id, grid_id)
);

CREATE TABLE screening_attempts (
    id %ID%,
    campaign_id BIGINT NOT NULL REFERENCES screening_campaigns (id),
    household_id BIGINT NOT NULL,
    community_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    building_id BIGINT NOT NULL,
    team_id BIGINT NOT NULL,
    method TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    account_name TEXT NOT NULL,
    -- Sent with the form or the request; a second submit with the same key records nothing.
    idempotency_key TEXT NOT NULL,
    state_after TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX screening_attempts_idempotency ON screening_attempts (account_id, idempotency_key);
CREATE INDEX screening_attempts_household ON screening_attempts (campaign_id, household_id, id);

CREATE TABLE screening_answers (
    id %ID%,
    attempt_id BIGINT NOT NULL REFERENCES screening_attempts (id),
    campaign_id BIGINT NOT NULL,
    household_id BIGINT NOT NULL,
    resident_id BIGINT NOT NULL,
    travel_status TEXT NOT NULL,
    origin_code TEXT,
    returned_on TEXT,
    matched BIGINT NOT NULL
);
CREATE INDEX screening_answers_attempt ON screening_answers (attempt_id);
CREATE INDEX screening_answers_resident ON screening_answers (resident_id, id)
