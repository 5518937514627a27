-- Attachments (photos, short video) of any owner (an alert, a case, ...). The bytes live
-- outside the database in a blob store; this table holds what is needed to list, check and
-- serve them. Only server/src/attachments writes it.
CREATE TABLE IF NOT EXISTS attachments (
  id            uuid PRIMARY KEY,
  owner_type    text NOT NULL,
  owner_id      text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('image', 'video')),
  -- Detected from the content, never taken from the client.
  mime          text NOT NULL,
  size          bigint NOT NULL CHECK (size >= 0),
  sha256        text NOT NULL,
  width         integer,
  height        integer,
  blob_key      text NOT NULL,
  thumbnail_key text,
  -- The uploader's file name, neutralised (no path, no control or bidi characters); shown only.
  original_name text NOT NULL,
  uploaded_by   text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS attachments_owner_idx ON attachments (owner_type, owner_id, created_at);
-- Retention deletes the oldest of one owner type.
CREATE INDEX IF NOT EXISTS attachments_retention_idx ON attachments (owner_type, created_at);
