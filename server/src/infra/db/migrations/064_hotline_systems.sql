-- Systems that pass calls on (12345, 110): each with its own key, stored as a SHA-256 hash.
CREATE TABLE IF NOT EXISTS hotline_systems (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  key_hash    text NOT NULL UNIQUE,
  -- Where the outcome of its cases is reported back (signed webhook), if anywhere.
  webhook_url text,
  enabled     boolean NOT NULL DEFAULT true,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL
);
