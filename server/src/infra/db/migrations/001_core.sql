-- Regions: district > street > community > grid. Grids carry a polygon (GeoJSON geometry).
CREATE TABLE IF NOT EXISTS regions (
  id         text PRIMARY KEY,
  level      text NOT NULL CHECK (level IN ('district', 'street', 'community', 'grid')),
  name       text NOT NULL,
  parent_id  text REFERENCES regions (id) ON DELETE CASCADE,
  geometry   jsonb,
  -- bounding box for a cheap pre-filter before point-in-polygon
  min_lon double precision, min_lat double precision, max_lon double precision, max_lat double precision
);
CREATE INDEX IF NOT EXISTS regions_parent_idx ON regions (parent_id);

-- Map features that are not regions: roads, residential compounds, service stations.
CREATE TABLE IF NOT EXISTS map_features (
  id         text PRIMARY KEY,
  type       text NOT NULL,
  name       text,
  geometry   jsonb NOT NULL,
  properties jsonb NOT NULL DEFAULT '{}'
);

CREATE TABLE IF NOT EXISTS devices (
  id          text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('camera', 'charger', 'locker')),
  name        text NOT NULL,
  lon         double precision,
  lat         double precision,
  site        text,
  grid_id     text REFERENCES regions (id) ON DELETE SET NULL,
  community_id text,
  street_id   text,
  district_id text,
  attributes  jsonb NOT NULL DEFAULT '{}',
  online      boolean NOT NULL DEFAULT false,
  last_seen   timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS devices_grid_idx ON devices (grid_id);
CREATE INDEX IF NOT EXISTS devices_street_idx ON devices (street_id);
CREATE INDEX IF NOT EXISTS devices_kind_idx ON devices (kind);
CREATE INDEX IF NOT EXISTS devices_site_idx ON devices (site);

-- One row per telemetry message; (device_id, ts, seq) is the reading's identity.
CREATE TABLE IF NOT EXISTS telemetry (
  device_id text NOT NULL,
  ts        timestamptz NOT NULL,
  seq       bigint NOT NULL,
  data      jsonb NOT NULL,
  PRIMARY KEY (device_id, ts, seq)
);

CREATE TABLE IF NOT EXISTS events (
  device_id text NOT NULL,
  ts        timestamptz NOT NULL,
  seq       bigint NOT NULL,
  type      text NOT NULL,
  data      jsonb NOT NULL,
  PRIMARY KEY (device_id, ts, seq)
);

-- 1-minute rollup per device and metric; serves long ranges.
CREATE TABLE IF NOT EXISTS telemetry_1m (
  device_id text NOT NULL,
  bucket    timestamptz NOT NULL,
  metric    text NOT NULL,
  avg       double precision NOT NULL,
  min       double precision NOT NULL,
  max       double precision NOT NULL,
  count     integer NOT NULL,
  PRIMARY KEY (device_id, metric, bucket)
);

CREATE TABLE IF NOT EXISTS rollup_progress (
  name       text PRIMARY KEY,
  done_until timestamptz NOT NULL
);

-- What could never be stored, and why.
CREATE TABLE IF NOT EXISTS dead_letters (
  id          bigserial PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  reason      text NOT NULL,
  detail      text,
  topic       text NOT NULL,
  device_id   text,
  payload     text,
  size_bytes  integer NOT NULL
);
CREATE INDEX IF NOT EXISTS dead_letters_received_idx ON dead_letters (received_at);

CREATE TABLE IF NOT EXISTS users (
  username      text PRIMARY KEY,
  display_name  text NOT NULL,
  password_hash text NOT NULL,
  role          text NOT NULL CHECK (role IN ('commander', 'dispatcher', 'officer', 'viewer')),
  region_id     text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS sessions (
  token_hash text PRIMARY KEY,
  username   text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS alerts (
  id           uuid PRIMARY KEY,
  cause        text NOT NULL,
  severity     text NOT NULL,
  state        text NOT NULL CHECK (state IN ('active', 'acknowledged', 'resolved')),
  device_id    text NOT NULL,
  device_kind  text NOT NULL,
  device_ids   text[] NOT NULL,
  site         text,
  district_id  text, street_id text, community_id text, grid_id text,
  message      text NOT NULL,
  count        integer NOT NULL DEFAULT 1,
  first_seen   timestamptz NOT NULL,
  last_seen    timestamptz NOT NULL,
  cleared_at   timestamptz,
  ack_by       text, ack_at timestamptz, ack_remark text,
  resolved_by  text, resolved_at timestamptz,
  ack_due_at   timestamptz NOT NULL,
  lon double precision, lat double precision,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
-- One open alert per device and cause.
CREATE UNIQUE INDEX IF NOT EXISTS alerts_open_unique ON alerts (device_id, cause) WHERE state <> 'resolved';
CREATE INDEX IF NOT EXISTS alerts_state_idx ON alerts (state, first_seen DESC);
CREATE INDEX IF NOT EXISTS alerts_street_idx ON alerts (street_id, first_seen DESC);
CREATE INDEX IF NOT EXISTS alerts_updated_idx ON alerts (updated_at);

CREATE TABLE IF NOT EXISTS alert_history (
  id       bigserial PRIMARY KEY,
  alert_id uuid NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  at       timestamptz NOT NULL DEFAULT now(),
  action   text NOT NULL,
  by_user  text,
  remark   text
);
CREATE INDEX IF NOT EXISTS alert_history_alert_idx ON alert_history (alert_id, at);

-- Detector state snapshots, per device, so a restart resumes mid-condition.
CREATE TABLE IF NOT EXISTS detector_state (
  device_id  text PRIMARY KEY,
  state      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
