import { readFile } from 'node:fs/promises';

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Reads and validates a JSON file given on the command line; expected failures are a typed result naming `what`. */
export async function readJsonFile<T>(path: string, parser: { parseJson(text: string): Parsed<T> }, what: string): Promise<Parsed<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, error: `cannot read ${what} file ${path}: ${(err as Error).message}` };
  }
  const parsed = parser.parseJson(text);
  return parsed.ok ? parsed : { ok: false, error: `${what} file ${path}: ${parsed.error}` };
}
