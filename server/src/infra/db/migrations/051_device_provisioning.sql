-- Whether a device can log in to the broker yet: `pending` from its import until the broker
-- accepts its account, `ready` then, `failed` with the reason when it cannot be given one.
-- Devices registered before this migration had their accounts made at import: `ready`.
ALTER TABLE devices ADD COLUMN IF NOT EXISTS provisioning text NOT NULL DEFAULT 'ready'
  CHECK (provisioning IN ('pending', 'ready', 'failed'));
ALTER TABLE devices ALTER COLUMN provisioning SET DEFAULT 'pending';
ALTER TABLE devices ADD COLUMN IF NOT EXISTS provisioning_error text;
CREATE INDEX IF NOT EXISTS devices_provisioning_idx ON devices (provisioning) WHERE provisioning <> 'ready';
