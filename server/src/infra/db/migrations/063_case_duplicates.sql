-- Likely duplicates proposed when a case is opened; a person decides, nothing is merged silently.
CREATE TABLE IF NOT EXISTS case_duplicates (
  case_id      uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  duplicate_of uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  score        real NOT NULL,
  reason       text NOT NULL,
  proposed_at  timestamptz NOT NULL,
  decision     text CHECK (decision IN ('merged', 'distinct')),
  decided_by   text,
  decided_at   timestamptz,
  PRIMARY KEY (case_id, duplicate_of)
);
CREATE INDEX IF NOT EXISTS case_duplicates_of_idx ON case_duplicates (duplicate_of);
