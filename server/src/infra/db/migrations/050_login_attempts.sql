-- Failed logins counted per username AND address: a stranger failing logins for an officer
-- from elsewhere slows only their own address, never the officer's. The counts are transient,
-- so the table keyed by username alone is dropped rather than migrated.
CREATE TABLE IF NOT EXISTS login_attempts (
  username     text NOT NULL,
  address      text NOT NULL,
  failures     integer NOT NULL,
  locked_until timestamptz NOT NULL,
  last_failure timestamptz NOT NULL,
  PRIMARY KEY (username, address)
);
DROP TABLE IF EXISTS login_failures;

-- What the user is told at their next successful login: failed attempts since the last one.
ALTER TABLE users ADD COLUMN IF NOT EXISTS failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN IF NOT EXISTS last_failed_login_at timestamptz;
ALTER TABLE users ADD COLUMN IF NOT EXISTS last_login_at timestamptz;
