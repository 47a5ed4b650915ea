/** Minimal flag parsing: `--quick`, `--name value`, `--name=value`. */
export function parseArgs(argv = process.argv.slice(2)): { quick: boolean; get(name: string): string | undefined; num(name: string, def: number): number; has(name: string): boolean } {
  const map = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) map.set(a.slice(2, eq), a.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) map.set(a.slice(2), argv[++i]!);
    else map.set(a.slice(2), 'true');
  }
  const num = (name: string, def: number) => {
    const v = map.get(name);
    if (v === undefined) return def;
    const n = Number(v.replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number (got ${v})`);
    return n;
  };
  return { quick: map.get('quick') === 'true', get: (n) => map.get(n), num, has: (n) => map.has(n) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** High-resolution wall clock in epoch milliseconds, comparable across processes on one machine. */
export const nowMs = () => performance.timeOrigin + performance.now();
