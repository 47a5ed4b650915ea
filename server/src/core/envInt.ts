/**
 * A reader of integer settings from an environment record: unset or blank → `def`; otherwise an
 * integer in [min, max], or a sentence naming the variable (and its `unit`, when given) is pushed
 * onto `errors` and `def` returned.
 */
export function envIntReader(env: Record<string, string | undefined>, errors: string[]) {
  return (name: string, def: number, min: number, max: number, unit?: string): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      errors.push(`${name}=${raw} is not an integer between ${min} and ${max}${unit ? ` (${unit})` : ''}`);
      return def;
    }
    return n;
  };
}
