-- Counts behind the registry summary, kept up to date in the transaction of every change so a
-- community of 200 grids and 674,278 residents is summarised without counting its rows.

CREATE TABLE resident_counts (
    grid_id BIGINT NOT NULL,
    community_id BIGINT NOT NULL,
    travel_status TEXT NOT NULL,
    hukou TEXT NOT NULL,
    vulnerable BIGINT NOT NULL,
    residents BIGINT NOT NULL,
    PRIMARY KEY (grid_id, travel_status, hukou, vulnerable)
);
CREATE INDEX resident_counts_community ON resident_counts (community_id);

CREATE TABLE household_counts (
    grid_id BIGINT PRIMARY KEY,
    community_id BIGINT NOT NULL,
    households BIGINT NOT NULL
);
CREATE INDEX household_counts_community ON household_counts (community_id);

INSERT INTO resident_counts (grid_id, community_id, travel_status, hukou, vulnerable, residents)
SELECT grid_id, community_id, travel_status, hukou,
       CASE WHEN vulnerabilities <> 0 THEN 1 ELSE 0 END, COUNT(*)
FROM residents
GROUP BY grid_id, community_id, travel_status, hukou, CASE WHEN vulnerabilities <> 0 THEN 1 ELSE 0 END;

INSERT INTO household_counts (grid_id, community_id, households)
SELECT grid_id, community_id, COUNT(*) FROM households GROUP BY grid_id, community_id
