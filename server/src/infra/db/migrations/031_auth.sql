-- Failed logins per username (lower-cased), so every instance slows the same guesser.
CREATE TABLE IF NOT EXISTS login_failures (
  username     text PRIMARY KEY,
  failures     integer NOT NULL,
  locked_until timestamptz NOT NULL,
  last_failure timestamptz NOT NULL
);
