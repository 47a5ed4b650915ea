-- Callers: the harassing-caller flag a dispatcher can set or clear. A flagged caller's calls are
-- still taken and shown, never dropped.
CREATE TABLE callers (
  phone        text PRIMARY KEY,
  flagged      boolean NOT NULL DEFAULT false,
  flag_reason  text,
  flagged_by   text,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Duplicate detection looks for open incidents of a category created recently.
CREATE INDEX incidents_open_category_idx ON incidents (category, created_at) WHERE state NOT IN ('closed','cancelled');
