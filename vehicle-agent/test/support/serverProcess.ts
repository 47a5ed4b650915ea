/**
 * The real server in a child process, for tests that kill it with SIGKILL. Configured by the usual
 * environment (DATABASE_URL, MQTT_URL, MQTT_PREFIX, PORT, …) plus TEST_WRITER_DELAY_MS: how long the
 * position writer waits before a batch commit, so that a test can kill the server while it holds
 * positions it has acked to the broker and not yet committed. Talks to its parent over IPC:
 * sends `{type: 'ready', url}` once listening, and answers `'writer'` with the writer's queue length
 * (rows received, acked to the broker, not yet committed) and rows written.
 */
import { loadConfig } from '../../../server/src/config.ts';
import { startServer } from '../../../server/src/server.ts';

const delay = Number(process.env.TEST_WRITER_DELAY_MS ?? 100);
const server = await startServer(loadConfig(), { writer: { maxDelayMs: delay } });
process.on('message', (m) => {
  if (m === 'writer') process.send?.({ type: 'writer', queued: server.writer.queued, written: server.writer.stats.written });
});
process.send?.({ type: 'ready', url: server.url });
