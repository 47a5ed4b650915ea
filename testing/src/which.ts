import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Whether `file` is an executable regular file. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first of `names` found on PATH (and in `extraDirs`), as a full path, or null. */
export function which(names: readonly string[], extraDirs: readonly string[] = [], envPath = process.env.PATH ?? ''): string | null {
  const dirs = [...envPath.split(path.delimiter).filter(Boolean), ...extraDirs];
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}
