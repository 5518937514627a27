-- Organisation (issue 10): units of the 1+9+131+N chain, users in units with several roles,
-- grid teams (3+2+N), duty shifts, and an audit trail of every change to them.

-- Centres are derived from the region tree (`centre:<regionId>`); departments are editable
-- defaults (`dept:<type>`). Region ids are not foreign keys: a unit outlives a re-import.
CREATE TABLE IF NOT EXISTS units (
  id              text PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('district-centre', 'street-centre', 'community-centre', 'department')),
  name_zh         text NOT NULL,
  name_en         text NOT NULL,
  region_id       text,
  department_type text,
  parent_id       text REFERENCES units (id) ON DELETE SET NULL,
  enabled         boolean NOT NULL DEFAULT true,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'department') = (department_type IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS units_region_idx ON units (region_id);

-- Users may hold several roles; `role` stays the primary one for code that reads one.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('commander', 'dispatcher', 'officer', 'handler', 'grid-officer', 'verifier', 'viewer'));
ALTER TABLE users ADD COLUMN IF NOT EXISTS roles text[];
UPDATE users SET roles = ARRAY[role] WHERE roles IS NULL;
ALTER TABLE users ALTER COLUMN roles SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_roles_check CHECK (
  cardinality(roles) >= 1 AND roles[1] = role AND
  roles <@ ARRAY['commander', 'dispatcher', 'officer', 'handler', 'grid-officer', 'verifier', 'viewer']::text[]);
-- Not a foreign key, like region ids: a demo user may name the centre of a region that is
-- imported after the users are seeded; the API checks the unit exists when a commander sets it.
ALTER TABLE users ADD COLUMN IF NOT EXISTS unit_id text;
ALTER TABLE users ADD COLUMN IF NOT EXISTS disabled_at timestamptz;
ALTER TABLE users ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();

-- The grid's 3+2+N team: chief, community police officer, full-time grid officer; instructor,
-- liaison; part-time officers.
CREATE TABLE IF NOT EXISTS grid_assignments (
  user_id    text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  grid_id    text NOT NULL,
  team_role  text NOT NULL CHECK (team_role IN
               ('grid-chief', 'community-police', 'grid-officer', 'grid-instructor', 'liaison', 'part-time')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, grid_id)
);
CREATE INDEX IF NOT EXISTS grid_assignments_grid_idx ON grid_assignments (grid_id);

CREATE TABLE IF NOT EXISTS duty_shifts (
  id         uuid PRIMARY KEY,
  unit_id    text NOT NULL REFERENCES units (id) ON DELETE CASCADE,
  user_id    text NOT NULL REFERENCES users (username) ON DELETE CASCADE,
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX IF NOT EXISTS duty_shifts_unit_idx ON duty_shifts (unit_id, ends_at);

-- Who changed what in the organisation, and when. Never updated, never deleted by the app.
CREATE TABLE IF NOT EXISTS organisation_audit (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  target_type text NOT NULL,
  target_id   text NOT NULL,
  changes     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS organisation_audit_target_idx ON organisation_audit (target_type, target_id, at);
