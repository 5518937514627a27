-- Outbox of signed outcome webhooks (e.g. a hotline case's outcome reported back to the
-- 12345/110 system). A row is written in the same transaction as the change it reports,
-- then delivered by a worker until the receiver answers 2xx. Only server/src/webhooks writes it.
CREATE TABLE IF NOT EXISTS webhook_outbox (
  id              bigserial PRIMARY KEY,
  target          text NOT NULL,
  event           text NOT NULL,
  -- The exact JSON sent (and signed) on every attempt.
  body            text NOT NULL,
  idempotency_key text NOT NULL,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  -- Due time of the next attempt; while an attempt runs, the end of its lease.
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  -- Set by each claim: a worker records its outcome only if the row is still its own.
  claim           uuid,
  last_status     integer,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz,
  dead_at         timestamptz,
  UNIQUE (target, idempotency_key)
);
CREATE INDEX IF NOT EXISTS webhook_outbox_due_idx ON webhook_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS webhook_outbox_created_idx ON webhook_outbox (created_at DESC);
