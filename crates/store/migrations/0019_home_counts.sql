-- The figures of a community's "today" (issue 14), kept up to date in the transaction of every
-- write so a home page reads a few dozen rows instead of counting orders, checks and alerts.

-- What happened per community and day: orders into and out of quarantine, current check
-- records per slot, alerts raised per slot. `day` is a local date (YYYY-MM-DD): a slot's date
-- for checks and alerts, the start date for orders in, the day of closing for orders out.
CREATE TABLE community_day_counts (
    community_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    measure TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (community_id, measure, day)
);

-- What stands open per community now: unresolved fever and missed-check alerts.
CREATE TABLE community_open_counts (
    community_id BIGINT NOT NULL,
    measure TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (community_id, measure)
);

-- The day an order left quarantine, so "out" per day is counted once and can be recounted.
-- Orders closed before this column existed take their end date.
ALTER TABLE quarantine_orders ADD COLUMN closed_on TEXT;
UPDATE quarantine_orders SET closed_on = end_date
WHERE state IN ('released', 'transferred_to_hospital');

INSERT INTO community_day_counts (community_id, day, measure, amount)
SELECT community_id, start_date, 'orders_in', COUNT(*) FROM quarantine_orders
WHERE state IN ('active', 'released', 'transferred_to_hospital')
GROUP BY community_id, start_date;

INSERT INTO community_day_counts (community_id, day, measure, amount)
SELECT community_id, closed_on, 'orders_out', COUNT(*) FROM quarantine_orders
WHERE state IN ('released', 'transferred_to_hospital')
GROUP BY community_id, closed_on;

INSERT INTO community_day_counts (community_id, day, measure, amount)
SELECT community_id, slot_date, CASE WHEN slot_part = 'morning' THEN 'checks_morning'
ELSE 'checks_evening' END, COUNT(*) FROM checks
WHERE replaces_id IS NULL
GROUP BY community_id, slot_date, slot_part;

INSERT INTO community_day_counts (community_id, day, measure, amount)
SELECT community_id, slot_date, CASE WHEN kind = 'fever' THEN 'fever_raised'
ELSE 'missed_raised' END, COUNT(*) FROM check_alerts
GROUP BY community_id, slot_date, kind;

INSERT INTO community_open_counts (community_id, measure, amount)
SELECT community_id, CASE WHEN kind = 'fever' THEN 'fever_open' ELSE 'missed_open' END, COUNT(*)
FROM check_alerts WHERE state <> 'resolved'
GROUP BY community_id, kind
