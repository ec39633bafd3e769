-- The notification centre (issue 14, item 8): a row per person told of something that concerns
-- them, written in the transaction of what caused it. The text is a key and its parameters,
-- rendered in the reader's language when read; nothing here is deleted.
CREATE TABLE notifications (
    id %ID%,
    recipient_id BIGINT NOT NULL REFERENCES accounts (id),
    -- What happened: fever_alert, missed_check_alert, delivery_assigned, round_assigned,
    -- follow_up_assigned, complaint_assigned, case_suspected, gate_conflict. It is also the text
    -- key.
    kind TEXT NOT NULL,
    -- What the notification opens: its object type and id.
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    community_id BIGINT,
    -- The text's parameters: names and places, tab-separated `name=value` pairs.
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    -- Whether it also leaves the app through the outbound sender: NULL (it does not), 'due',
    -- 'sending' (claimed by a server), 'sent', 'failed' or 'no_phone'.
    outbound TEXT,
    outbound_at BIGINT
);
-- One's own, newest first, and the unread count from the index alone.
CREATE INDEX notifications_recipient ON notifications (recipient_id, id);
CREATE INDEX notifications_unread ON notifications (recipient_id) WHERE read_at IS NULL;
-- Who was told of a subject, for the page that raised it.
CREATE INDEX notifications_subject ON notifications (subject_type, subject_id);
-- The outbound sender's queue.
CREATE INDEX notifications_outbound_due ON notifications (id) WHERE outbound = 'due';

-- The mobile number a notification leaving the app goes to; none: it stays in the app.
ALTER TABLE accounts ADD COLUMN phone TEXT;
