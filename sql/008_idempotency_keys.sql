-- Idempotent commands: a dispatcher's console sends an Idempotency-Key with every submit and the
-- same key on a retry. The first request claims the key (claim token), records the resource it
-- created in the same transaction as the resource (resource_id), then the answer it gave; a retry
-- replays that answer. Rows expire after 24 hours.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  user_id         text        NOT NULL,
  key             text        NOT NULL,
  route           text        NOT NULL,
  request_hash    text        NOT NULL,
  claim           text,
  claimed_at      timestamptz NOT NULL DEFAULT now(),
  resource_id     text,
  response_status integer,
  response_body   jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at);
