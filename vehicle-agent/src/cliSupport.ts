/** What both command lines (fleetCli.ts, agentCli.ts) print with. */
import type { Log } from './options.ts';

/** Timestamped lines: info to stdout, warnings and errors to stderr. */
export const consoleLog: Log = (level, msg, data) => {
  const line = `${new Date().toISOString()} ${level} ${msg}${data ? ' ' + JSON.stringify(data) : ''}`;
  (level === 'info' ? console.log : console.error)(line);
};

/** Prints `message` to stderr and exits with `code`. */
export function fail(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}
