import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `vite build` of the dispatcher UI in a child process (its own NODE_ENV=production), into a fresh folder. */
export function buildUi(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(UI_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: UI_ROOT,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`))));
  });
}

/** Newest modification time under `p` (a file or a folder), ms. */
async function newestMtime(p: string): Promise<number> {
  const st = await stat(p);
  if (!st.isDirectory()) return st.mtimeMs;
  const entries = await readdir(p);
  return Math.max(st.mtimeMs, ...(await Promise.all(entries.map((e) => newestMtime(path.join(p, e))))));
}

/**
 * The built UI: dispatcher-ui/dist when it is newer than every input of the build (a `pnpm build`
 * just ran), else a fresh build into `tmp`. A build takes 13–60 s on these machines, most of a
 * browser suite's time.
 */
export async function builtUi(tmp: string): Promise<string> {
  const dist = path.join(UI_ROOT, 'dist');
  try {
    const built = (await stat(path.join(dist, 'index.html'))).mtimeMs;
    const inputs = ['src', 'index.html', 'vite.config.ts', 'package.json', '../protocol/src'].map((f) => newestMtime(path.join(UI_ROOT, f)));
    if (built > Math.max(...(await Promise.all(inputs)))) return dist;
  } catch {
    // no build yet
  }
  const out = path.join(tmp, 'dist');
  await buildUi(out);
  return out;
}
