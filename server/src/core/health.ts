/** Why /healthz says `degraded`; the console and the alert rules name the same codes. */
export const HEALTH_REASONS = ['db_unreachable', 'broker_disconnected', 'writer_failing', 'write_queue_high', 'ingest_paused', 'dead_letters_recent', 'mqtt_session_taken_over'] as const;
export type HealthReason = (typeof HEALTH_REASONS)[number];

export interface HealthSignals {
  /** The database answered the probe within its timeout. */
  dbUp: boolean;
  mqttConnected: boolean;
  /** When the position writer last failed a statement (transient), ms; 0 = never. */
  writerLastErrorAtMs: number;
  /** The writer is failing now (its last statement failed). */
  writerFailing: boolean;
  /** Positions waiting to be written. */
  queued: number;
  /** Ingest waits for the writer (its queue is full). */
  ingestPaused: boolean;
  /** When the last message was dead-lettered, ms; 0 = never. */
  lastDeadLetterAtMs: number;
  /** Another client took over the server's MQTT session recently (a duplicate client id). */
  mqttSessionTakenOver?: boolean;
}

export interface HealthThresholds {
  /** The writer counts as failing this long after its last failure, ms. */
  writerErrorWindowMs: number;
  queueThreshold: number;
  deadLetterWindowMs: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = { writerErrorWindowMs: 30_000, queueThreshold: 50_000, deadLetterWindowMs: 15 * 60_000 };

export interface HealthVerdict {
  status: 'ok' | 'degraded';
  reasons: HealthReason[];
}

/** ok, or degraded with every reason that holds (in HEALTH_REASONS order). */
export function assessHealth(s: HealthSignals, t: HealthThresholds, nowMs: number): HealthVerdict {
  const holds: Record<HealthReason, boolean> = {
    db_unreachable: !s.dbUp,
    broker_disconnected: !s.mqttConnected,
    writer_failing: s.writerFailing || (s.writerLastErrorAtMs > 0 && nowMs - s.writerLastErrorAtMs < t.writerErrorWindowMs),
    write_queue_high: s.queued > t.queueThreshold,
    ingest_paused: s.ingestPaused,
    dead_letters_recent: s.lastDeadLetterAtMs > 0 && nowMs - s.lastDeadLetterAtMs < t.deadLetterWindowMs,
    mqtt_session_taken_over: s.mqttSessionTakenOver === true,
  };
  const reasons = HEALTH_REASONS.filter((r) => holds[r]);
  return { status: reasons.length ? 'degraded' : 'ok', reasons };
}
