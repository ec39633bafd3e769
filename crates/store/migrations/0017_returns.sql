-- Return to work (C5): applications made on the public page, their travellers, the one-time
-- codes that confirm the applicant's phone, the verifications on arrival, and the attempts the
-- public page counts against its limits.

CREATE TABLE return_applications (
    id %ID%,
    community_id BIGINT NOT NULL REFERENCES communities (id),
    -- The destination household and where it is, for the jurisdiction.
    household_id BIGINT NOT NULL REFERENCES households (id),
    building_id BIGINT NOT NULL,
    grid_id BIGINT NOT NULL,
    -- The gate the applicant is expected at: one serving the household's building.
    gate_id BIGINT,
    -- 'submitted', 'expected', 'arrived', 'approved', 'refused', 'in_quarantine', 'withdrawn'.
    state TEXT NOT NULL,
    -- The applicant, as also their row of return_travellers (position 0).
    name TEXT NOT NULL,
    document_masked TEXT NOT NULL,
    phone TEXT NOT NULL,
    employer TEXT NOT NULL,
    employer_address TEXT NOT NULL,
    -- GB/T 2260 code of where the applicant comes from.
    origin TEXT NOT NULL,
    -- 'train', 'flight', 'car', 'coach', 'other', and the train number, flight or plate.
    means TEXT NOT NULL,
    trip TEXT NOT NULL,
    -- When the applicant arrives (ms), as last given.
    arrival_at BIGINT NOT NULL,
    -- The applicant's personal link, as a hash; shown once, when made.
    link_hash TEXT NOT NULL UNIQUE,
    client TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    arrived_at BIGINT,
    decided_at BIGINT,
    decided_by BIGINT,
    -- Why refused, as the verifier wrote it (the rule's codes are in the verification).
    refusal_reason TEXT,
    -- The last day of the quarantine of an admitted applicant.
    quarantine_until TEXT,
    withdrawn_at BIGINT
);
CREATE INDEX return_applications_arrival ON return_applications (community_id, arrival_at);
CREATE INDEX return_applications_created ON return_applications (community_id, created_at);
CREATE INDEX return_applications_name ON return_applications (name, id);
CREATE INDEX return_applications_household ON return_applications (household_id, id);

-- Everyone travelling on an application: the applicant at position 0, then the companions.
CREATE TABLE return_travellers (
    application_id BIGINT NOT NULL REFERENCES return_applications (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    document_kind TEXT NOT NULL,
    document_sealed %BLOB% NOT NULL,
    document_index %BLOB% NOT NULL,
    document_masked TEXT NOT NULL,
    -- Set on approval: the resident registered or updated, and their quarantine order.
    resident_id BIGINT,
    order_id BIGINT,
    PRIMARY KEY (application_id, position)
);
CREATE INDEX return_travellers_document ON return_travellers (document_index);

-- A one-time code sent to a phone; only its hash is kept.
CREATE TABLE return_codes (
    id %ID%,
    phone TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    -- Wrong codes tried against it; at the limit it is spent.
    failures BIGINT NOT NULL DEFAULT 0,
    used_at BIGINT
);
CREATE INDEX return_codes_phone ON return_codes (phone, created_at);

-- What the verifier recorded on arrival, and the decision; a later record supersedes.
CREATE TABLE return_verifications (
    id %ID%,
    application_id BIGINT NOT NULL REFERENCES return_applications (id),
    community_id BIGINT NOT NULL,
    -- 'green', 'yellow' or 'red'.
    health_code TEXT NOT NULL,
    itinerary_code TEXT NOT NULL,
    -- GB/T 2260 codes the itinerary lists, space-separated.
    visited_regions TEXT NOT NULL,
    certificate_seen BIGINT NOT NULL,
    certificate_seen_by BIGINT,
    test_taken_on TEXT,
    test_institution TEXT,
    -- 'negative' or 'positive'.
    test_result TEXT,
    temperature_tenths BIGINT NOT NULL,
    -- The rule's refusals, as codes, space-separated; empty when it admits.
    refusals TEXT NOT NULL,
    -- 'approved' or 'refused'; an override is a decision against the rule, with its reason.
    decision TEXT NOT NULL,
    is_override BIGINT NOT NULL,
    reason TEXT,
    verified_by BIGINT NOT NULL,
    verified_at BIGINT NOT NULL
);
CREATE INDEX return_verifications_application ON return_verifications (application_id, id);
CREATE INDEX return_verifications_community ON return_verifications (community_id, verified_at);

-- Attempts on the public page counted against its limits: 'client' by address, 'document'
-- by the keyed index of an ID number, 'phone' by number.
CREATE TABLE return_attempts (
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX return_attempts_subject ON return_attempts (scope, subject, at);
