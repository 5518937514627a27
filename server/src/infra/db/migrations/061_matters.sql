-- The matter catalogue (事项清单, issue 10): every edit writes a whole new version, so a case
-- keeps the rules it was opened under and old versions stay readable.
CREATE TABLE IF NOT EXISTS matter_versions (
  version    integer PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL,
  note       text NOT NULL DEFAULT ''
);

CREATE TABLE IF NOT EXISTS matter_items (
  version               integer NOT NULL REFERENCES matter_versions (version) ON DELETE CASCADE,
  code                  text NOT NULL,
  category_code         text NOT NULL,
  category_zh           text NOT NULL,
  category_en           text NOT NULL,
  name_zh               text NOT NULL,
  name_en               text NOT NULL,
  lead_department       text NOT NULL,
  tier                  text NOT NULL CHECK (tier IN ('grid', 'community', 'street', 'district')),
  accept_limit_s        integer NOT NULL CHECK (accept_limit_s > 0),
  receive_limit_s       integer NOT NULL CHECK (receive_limit_s > 0),
  handle_limit_s        integer NOT NULL CHECK (handle_limit_s > 0),
  verify_limit_s        integer NOT NULL CHECK (verify_limit_s > 0),
  photo_required        boolean NOT NULL,
  verification_required boolean NOT NULL,
  PRIMARY KEY (version, code)
);
