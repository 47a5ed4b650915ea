import pino, { type Logger } from 'pino';
import PinoPretty from 'pino-pretty';

/**
 * The server's logger: one readable line per event on a terminal, JSON lines (for log shippers)
 * when the output is piped or redirected. Pretty-printing runs in this thread (sync), so the last
 * lines before an exit are not lost and nothing writes after the stream ended.
 */
export function createLogger(level: string, stream: NodeJS.WriteStream = process.stdout): Logger {
  if (!stream.isTTY) return pino({ level }, stream);
  return pino({ level }, PinoPretty({ colorize: true, sync: true, destination: stream, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
}
