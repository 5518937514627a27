-- Alerts not acknowledged within their severity's limit; stays true once set (counts against on-time rate).
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS overdue boolean NOT NULL DEFAULT false;
-- The periodic overdue check only looks at active alerts not yet marked.
CREATE INDEX IF NOT EXISTS alerts_due_idx ON alerts (ack_due_at) WHERE state = 'active' AND NOT overdue;
CREATE INDEX IF NOT EXISTS alerts_first_seen_idx ON alerts (first_seen DESC);
-- Repeats keep one summary row per alert (latest time and count), never one row per repeat.
CREATE UNIQUE INDEX IF NOT EXISTS alert_history_repeated_unique ON alert_history (alert_id) WHERE action = 'repeated';
