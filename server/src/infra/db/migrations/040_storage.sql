-- Storage for telemetry queries, the rollup job, retention and the wall screen's stats.
-- Every statement is idempotent: the file may meet a database (or hypertable) that has it.

-- Time-range scans: the rollup reads the newest minutes, retention deletes the oldest.
-- (TimescaleDB's default time index is off: create_hypertable runs with create_default_indexes => false.)
CREATE INDEX IF NOT EXISTS telemetry_ts_idx ON telemetry (ts);
CREATE INDEX IF NOT EXISTS events_ts_idx ON events (ts);
CREATE INDEX IF NOT EXISTS telemetry_1m_bucket_idx ON telemetry_1m (bucket);

-- Total charging power per grid and minute, derived from telemetry_1m by the rollup job, so the
-- wall screen's 24 h load curve sums a few hundred thousand rows, not millions.
-- `place` is the grid id, '' for chargers outside every grid (a primary key cannot hold null).
CREATE TABLE IF NOT EXISTS charger_load_1m (
  bucket       timestamptz NOT NULL,
  place        text NOT NULL,
  grid_id      text,
  community_id text,
  street_id    text,
  district_id  text,
  power_kw     double precision NOT NULL,
  chargers     integer NOT NULL,
  PRIMARY KEY (bucket, place)
);

-- Scoped device queries by community and district (grid and street have indexes in 001).
CREATE INDEX IF NOT EXISTS devices_community_idx ON devices (community_id);
CREATE INDEX IF NOT EXISTS devices_district_idx ON devices (district_id);
-- Open alerts by community and grid for the wall screen.
CREATE INDEX IF NOT EXISTS alerts_open_community_idx ON alerts (community_id) WHERE state <> 'resolved';
CREATE INDEX IF NOT EXISTS alerts_open_grid_idx ON alerts (grid_id) WHERE state <> 'resolved';
