-- Units that recently missed an acknowledgement are kept out of auto-assignment for a while
-- (AUTO_ASSIGN_ACK_COOLDOWN_SEC): find recent AckTimedOut events without scanning the timeline.
CREATE INDEX IF NOT EXISTS incident_events_ack_timeouts_idx ON incident_events (ts) WHERE type = 'AckTimedOut';
