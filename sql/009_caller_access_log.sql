-- Who read a caller's history (Decree 13/2023: personal data access is accountable). One row per
-- read of GET /api/callers/:phone or flag change; readable by supervisors and admins only.
-- The number is kept as dispatch normalises it, so "who looked this number up" is one indexed query.
CREATE TABLE caller_access_log (
  id           bigserial PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id),
  phone        text NOT NULL,
  action       text NOT NULL CHECK (action IN ('history', 'flag')),
  accessed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX caller_access_log_phone_idx ON caller_access_log (phone, accessed_at DESC);
CREATE INDEX caller_access_log_time_idx ON caller_access_log (accessed_at DESC);
