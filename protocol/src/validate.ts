import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

export type Validated<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Compiles a schema once and returns a parser for untrusted JSON text or values.
 * The error names the first failing path, so a bad message can be logged meaningfully.
 */
export function compileParser<S extends TSchema>(schema: S) {
  const check = TypeCompiler.Compile(schema);
  const validate = (value: unknown): Validated<Static<S>> => {
    if (check.Check(value)) return { ok: true, value: value as Static<S> };
    const first = check.Errors(value).First();
    return { ok: false, error: first ? `${first.path || '/'}: ${first.message}` : 'invalid' };
  };
  const parseJson = (text: string | Uint8Array): Validated<Static<S>> => {
    let value: unknown;
    try {
      value = JSON.parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'));
    } catch {
      return { ok: false, error: 'malformed JSON' };
    }
    return validate(value);
  };
  return { validate, parseJson };
}
