-- Cases (事件/案件): one row per problem the centre must get solved, whatever its source, and
-- one row per step it took. Written only by server/src/cases/repository.ts.
CREATE TABLE IF NOT EXISTS cases (
  id                    uuid PRIMARY KEY,
  -- Short number people read out on the phone (per database, increasing).
  number                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  source                text NOT NULL CHECK (source IN ('alert', 'patrol', 'resident', 'hotline', 'assignment')),
  state                 text NOT NULL CHECK (state IN ('reported', 'accepted', 'rejected', 'dispatched', 'received',
                          'in-progress', 'feedback-submitted', 'verified', 'closed', 'returned', 'reopened')),
  -- Optimistic concurrency: every transition must name the version it saw.
  version               integer NOT NULL DEFAULT 1,
  title                 text NOT NULL,
  description           text NOT NULL,
  -- The matter item and the catalogue version the case was opened under, with the rules the
  -- loop needs copied in (a later catalogue edit does not change an open case).
  matter_item           text,
  matter_version        integer,
  tier                  text CHECK (tier IN ('grid', 'community', 'street', 'district')),
  lead_department       text,
  photo_required        boolean NOT NULL DEFAULT false,
  verification_required boolean NOT NULL DEFAULT true,
  lon                   double precision,
  lat                   double precision,
  district_id           text,
  street_id             text,
  community_id          text,
  grid_id               text,
  unit_id               text,
  assignee_id           text,
  co_unit_ids           text[] NOT NULL DEFAULT '{}',
  handler_ids           text[] NOT NULL DEFAULT '{}',
  participant_ids       text[] NOT NULL DEFAULT '{}',
  -- Who reported: a user (patrol, dispatcher), a resident, a hotline system, the system (rules).
  reporter_kind         text NOT NULL CHECK (reporter_kind IN ('user', 'resident', 'hotline', 'system')),
  reporter_id           text,
  contact_name          text,
  contact_phone         text,
  alert_id              uuid UNIQUE,
  device_ids            text[] NOT NULL DEFAULT '{}',
  hotline_system        text,
  external_ref          text,
  -- SHA-256 of the resident's status token (the token itself is shown once).
  status_token_hash     text UNIQUE,
  satisfaction          smallint CHECK (satisfaction BETWEEN 1 AND 5),
  rated_at              timestamptz,
  reported_at           timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  closed_at             timestamptz,
  UNIQUE (hotline_system, external_ref)
);
CREATE INDEX IF NOT EXISTS cases_updated_idx ON cases (updated_at DESC);
CREATE INDEX IF NOT EXISTS cases_open_idx ON cases (state) WHERE state NOT IN ('closed', 'rejected');
CREATE INDEX IF NOT EXISTS cases_grid_item_idx ON cases (grid_id, matter_item, reported_at DESC);
CREATE INDEX IF NOT EXISTS cases_unit_idx ON cases (unit_id);
CREATE INDEX IF NOT EXISTS cases_street_idx ON cases (street_id, updated_at DESC);
CREATE INDEX IF NOT EXISTS cases_devices_idx ON cases USING gin (device_ids);

CREATE TABLE IF NOT EXISTS case_transitions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id     uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL,
  action      text NOT NULL,
  from_state  text,
  to_state    text NOT NULL,
  by_kind     text NOT NULL CHECK (by_kind IN ('user', 'resident', 'hotline', 'system')),
  by_user     text,
  -- What the step changed (unit, assignee, co-handlers, satisfaction …), old and new.
  changes     jsonb NOT NULL DEFAULT '{}',
  remark      text,
  attachment_ids text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS case_transitions_case_idx ON case_transitions (case_id, id);
