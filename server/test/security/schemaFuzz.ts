import fc from 'fast-check';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Values that passed schemas or reached PostgreSQL and gave 500s (issue 11, item 8), and friends. */
export const HOSTILE_STRINGS = ['a\u0000b', '\u0000', 'Infinity', '-Infinity', '1e999', 'NaN', '-0', '9'.repeat(40), '\uD800', '%00', '../../etc', '', ' ', 'x'.repeat(10_000)];
/** JSON number literals JSON.stringify cannot write; spliced into the body text. */
export const RAW_NUMBERS = ['1e999', '-1e999', '1e-999', '9007199254740993', '-0', '1.5e308', '2147483648', '-2147483649', '99999999999999999999'];

/** Lone UTF-16 surrogates (which cannot be percent-encoded) become U+FFFD, as a browser would send them. */
export const toWellFormed = (s: string) => s.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');

/** A value valid (as far as a generator can tell) for a JSON schema of the OpenAPI document. */
export function fromSchema(schema: any, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts) return fc.oneof(...alts.map((s: any) => fromSchema(s, depth + 1)));
  if (schema.allOf) return fc.tuple(...schema.allOf.map((s: any) => fromSchema(s, depth + 1))).map((parts) => Object.assign({}, ...parts.filter((p) => p && typeof p === 'object')));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? 1e9));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 30, 30) });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(fromSchema(schema.items ?? {}, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    case 'object': {
      const props = schema.properties ?? {};
      const required = new Set<string>(schema.required ?? []);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries<any>(props)) model[k] = fromSchema(s, depth + 1);
      return fc.record(model, { requiredKeys: [...required].filter((k) => k in props) });
    }
    default:
      return fc.constant(null);
  }
}

/** Every path to a leaf (or a whole sub-object) of a JSON value. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** A hostile value for one spot: a marker that `toJsonText` turns into a raw number literal, or a value. */
const hostile = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.constantFrom(...RAW_NUMBERS.map((n) => `__RAW__${n}__`)),
  fc.constantFrom(null, true, [], {}, [[[]]], { a: { b: 1 } }, -1, 0, 2 ** 31, -(2 ** 31) - 1, 1.5, Number.MAX_SAFE_INTEGER),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/** A schema-valid value with one spot replaced by something hostile (or, now and then, left valid). */
export function mutated(schema: any): fc.Arbitrary<unknown> {
  return fc.tuple(fromSchema(schema), hostile, fc.nat(), fc.nat(9)).map(([value, bad, pick, keep]) => {
    if (keep === 0) return value;
    const all = paths(value);
    const p = all[pick % all.length]!;
    if (p.length === 0) return bad;
    const copy = structuredClone(value) as any;
    let o = copy;
    for (const k of p.slice(0, -1)) o = o[k];
    o[p[p.length - 1]!] = bad;
    return copy;
  });
}

/** JSON text, with raw number markers written as the literals themselves. */
export const toJsonText = (v: unknown) => JSON.stringify(v).replace(/"__RAW__([^_]+)__"/g, '$1');

/** A query or path value as text (raw markers as their literal text). */
export const toParamText = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.replace(/^__RAW__([^_]+)__$/, '$1');
};
