import { describe, expect, it } from 'vitest';
import { assessHealth, DEFAULT_HEALTH_THRESHOLDS, type HealthSignals } from '../src/core/health.ts';

const NOW = 1_800_000_000_000;
const fine: HealthSignals = { dbUp: true, mqttConnected: true, writerLastErrorAtMs: 0, writerFailing: false, queued: 0, ingestPaused: false, lastDeadLetterAtMs: 0 };

describe('health verdict (pure)', () => {
  it.each([
    ['all fine', {}, []],
    ['database not answering', { dbUp: false }, ['db_unreachable']],
    ['broker gone', { mqttConnected: false }, ['broker_disconnected']],
    ['writer failing now', { writerFailing: true, writerLastErrorAtMs: NOW - 1000 }, ['writer_failing']],
    ['writer failed 10 s ago, recovered', { writerLastErrorAtMs: NOW - 10_000 }, ['writer_failing']],
    ['writer failed 31 s ago, recovered', { writerLastErrorAtMs: NOW - 31_000 }, []],
    ['queue at the threshold', { queued: 50_000 }, []],
    ['queue above the threshold', { queued: 50_001 }, ['write_queue_high']],
    ['ingest paused', { ingestPaused: true, queued: 200_000 }, ['write_queue_high', 'ingest_paused']],
    ['dead letter 14 min ago', { lastDeadLetterAtMs: NOW - 14 * 60_000 }, ['dead_letters_recent']],
    ['dead letter 16 min ago', { lastDeadLetterAtMs: NOW - 16 * 60_000 }, []],
    ['MQTT session taken over by a duplicate client id', { mqttSessionTakenOver: true }, ['mqtt_session_taken_over']],
    ['everything at once', { dbUp: false, mqttConnected: false, writerFailing: true, queued: 1e6, ingestPaused: true, lastDeadLetterAtMs: NOW }, ['db_unreachable', 'broker_disconnected', 'writer_failing', 'write_queue_high', 'ingest_paused', 'dead_letters_recent']],
  ] as const)('%s', (_n, change, reasons) => {
    const v = assessHealth({ ...fine, ...change }, DEFAULT_HEALTH_THRESHOLDS, NOW);
    expect(v).toEqual({ status: reasons.length ? 'degraded' : 'ok', reasons });
  });
});
