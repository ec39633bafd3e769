-- Totals and signature lines at the bottom of a register are passed over, not refused; an
-- import counts them apart from its rejected rows.
ALTER TABLE imports ADD COLUMN skipped BIGINT NOT NULL DEFAULT 0;
