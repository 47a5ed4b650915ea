import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sniffImage, stripMetadata, type ImageType } from '../../core/line1022/imageMeta.ts';

/** Upload limits, documented in README (Line 1022 → Photos). */
export const MEDIA_LIMITS = {
  /** Largest photo, bytes. A 12-megapixel phone JPEG is 3–6 MB. */
  fileBytes: 8 * 1024 * 1024,
  /** Photos per request. */
  files: 4,
  /** The `report` JSON field, bytes. */
  fieldBytes: 16 * 1024,
} as const;

/** A photo checked, stripped and complete on disk under a temporary name, not yet published. */
export interface StagedMedia {
  id: string;
  tmpPath: string;
  contentType: ImageType;
  bytes: number;
}

export type StageResult = { ok: true; media: StagedMedia } | { ok: false; code: 'PAYLOAD_TOO_LARGE' | 'BAD_REQUEST'; message: string };

/**
 * Photos under DATA_DIR/media. A file is written under tmp/ and renamed into place only once it is
 * whole and stripped; rename within one file system is atomic, and a file is served only when its
 * database row exists, which is written after the rename. Leftovers in tmp/ (a crash mid-upload)
 * are removed at start.
 */
export class MediaStore {
  readonly tmpDir: string;
  constructor(readonly dir: string) {
    this.tmpDir = path.join(dir, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    for (const f of await readdir(this.tmpDir)) await rm(path.join(this.tmpDir, f), { force: true });
  }

  /**
   * Streams one upload to a temporary file, then checks its type by magic bytes and strips its
   * metadata. `truncated` is the multipart parser's verdict that the file hit the size limit.
   */
  async stage(file: Readable & { truncated?: boolean }): Promise<StageResult> {
    const id = randomUUID();
    const part = path.join(this.tmpDir, `${id}.part`);
    const clean = path.join(this.tmpDir, `${id}.clean`);
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(file, count, createWriteStream(part, { flags: 'wx', mode: 0o600 }));
      if (file.truncated || bytes > MEDIA_LIMITS.fileBytes) return await this.refuse([part], 'PAYLOAD_TOO_LARGE', `a photo is larger than ${MEDIA_LIMITS.fileBytes} bytes`);
      if (bytes === 0) return await this.refuse([part], 'BAD_REQUEST', 'a photo is empty');
      const src = await readFile(part);
      const type = sniffImage(src.subarray(0, 16));
      if (!type) return await this.refuse([part], 'BAD_REQUEST', 'a photo must be a JPEG or PNG image (checked by its content, not its name)');
      const stripped = stripMetadata(type, src);
      if (!stripped.ok) return await this.refuse([part], 'BAD_REQUEST', `a photo cannot be read: ${stripped.message}`);
      const fh = await open(clean, 'wx', 0o600);
      try {
        await fh.writeFile(stripped.bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rm(part, { force: true });
      return { ok: true, media: { id, tmpPath: clean, contentType: type, bytes: stripped.bytes.length } };
    } catch (err) {
      await rm(part, { force: true });
      await rm(clean, { force: true });
      throw err;
    }
  }

  /** Moves a staged photo to its final name; from then on a database row may point at it. */
  async publish(m: StagedMedia): Promise<string> {
    const name = m.id;
    await rename(m.tmpPath, path.join(this.dir, name));
    return name;
  }

  async discard(staged: readonly StagedMedia[], published: readonly string[] = []): Promise<void> {
    for (const s of staged) await rm(s.tmpPath, { force: true });
    for (const p of published) await rm(this.pathOf(p), { force: true });
  }

  /** The file for a stored name (names are uuids we made; anything else resolves to nothing). */
  pathOf(fileName: string): string {
    if (!/^[0-9a-f-]{36}$/.test(fileName)) throw new Error('bad media file name');
    return path.join(this.dir, fileName);
  }

  async open(fileName: string): Promise<{ stream: Readable; bytes: number } | null> {
    const p = this.pathOf(fileName);
    const s = await stat(p).catch(() => null);
    return s ? { stream: createReadStream(p), bytes: s.size } : null;
  }

  /** Files in the store (for tests: nothing half-written or refused is left). */
  async list(): Promise<{ published: string[]; tmp: string[] }> {
    const all = await readdir(this.dir);
    return { published: all.filter((f) => f !== 'tmp'), tmp: await readdir(this.tmpDir) };
  }

  private async refuse(paths: string[], code: 'PAYLOAD_TOO_LARGE' | 'BAD_REQUEST', message: string): Promise<StageResult> {
    for (const p of paths) await rm(p, { force: true });
    return { ok: false, code, message };
  }
}
