import type { FastifyRequest } from 'fastify';
import { MEDIA_LIMITS, type MediaStore, type StagedMedia } from './mediaStore.ts';

export type UploadResult =
  | { ok: true; fields: Record<string, string>; staged: StagedMedia[] }
  | { ok: false; status: 400 | 413; code: 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE'; message: string };

/** Multipart parser errors (busboy's and @fastify/multipart's) as a client error, never a 500. */
function parserError(err: unknown): UploadResult {
  const e = err as { code?: string; message?: string; statusCode?: number };
  if (e.code === 'FST_FILES_LIMIT') return { ok: false, status: 413, code: 'PAYLOAD_TOO_LARGE', message: `at most ${MEDIA_LIMITS.files} photos per request` };
  if (e.code === 'FST_PARTS_LIMIT' || e.code === 'FST_FIELDS_LIMIT') return { ok: false, status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'too many form fields' };
  if (e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') return { ok: false, status: 400, code: 'BAD_REQUEST', message: 'send multipart/form-data' };
  return { ok: false, status: 400, code: 'BAD_REQUEST', message: `malformed multipart body: ${e.message ?? 'unreadable'}` };
}

/**
 * Reads a multipart request: text fields (named in `fieldNames`) and photos in the `photo` field,
 * each staged on disk (checked and stripped) as it arrives. Any refusal discards every photo
 * staged so far, so a refused request leaves nothing behind.
 */
export async function receiveUploads(req: FastifyRequest, store: MediaStore, fieldNames: readonly string[]): Promise<UploadResult> {
  const staged: StagedMedia[] = [];
  const fields: Record<string, string> = {};
  const fail = async (r: Exclude<UploadResult, { ok: true }>) => {
    await store.discard(staged);
    return r;
  };
  if (!req.isMultipart()) return fail({ ok: false, status: 400, code: 'BAD_REQUEST', message: 'send multipart/form-data' });
  try {
    const parts = req.parts({
      limits: { fileSize: MEDIA_LIMITS.fileBytes, files: MEDIA_LIMITS.files, fields: fieldNames.length, fieldSize: MEDIA_LIMITS.fieldBytes, parts: MEDIA_LIMITS.files + fieldNames.length + 1 },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (!fieldNames.includes(part.fieldname)) return fail({ ok: false, status: 400, code: 'BAD_REQUEST', message: `unknown field ${part.fieldname}` });
        if (part.valueTruncated) return fail({ ok: false, status: 413, code: 'PAYLOAD_TOO_LARGE', message: `field ${part.fieldname} is larger than ${MEDIA_LIMITS.fieldBytes} bytes` });
        fields[part.fieldname] = String(part.value);
        continue;
      }
      if (part.fieldname !== 'photo') {
        part.file.resume();
        return fail({ ok: false, status: 400, code: 'BAD_REQUEST', message: `unknown file field ${part.fieldname}; photos go in "photo"` });
      }
      const r = await store.stage(part.file);
      if (!r.ok) return fail({ ok: false, status: r.code === 'PAYLOAD_TOO_LARGE' ? 413 : 400, code: r.code, message: r.message });
      staged.push(r.media);
    }
  } catch (err) {
    return fail(parserError(err) as Exclude<UploadResult, { ok: true }>);
  }
  return { ok: true, fields, staged };
}
