/**
 * Image checks for citizens' and agencies' photos: the type from the first bytes (never the
 * client's Content-Type), and metadata stripping before anything is published. A phone's EXIF
 * block carries the GPS position of the sender's home, the device's serial and the time.
 */

export type ImageType = 'image/jpeg' | 'image/png';

/** The image type from the file's magic bytes, or null for anything else. */
export function sniffImage(head: Uint8Array): ImageType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (head.length >= 8 && png.every((b, i) => head[i] === b)) return 'image/png';
  return null;
}

export type StripResult = { ok: true; bytes: Buffer; removed: number } | { ok: false; message: string };

/**
 * JPEG markers whose segments are dropped: APP1 (EXIF, XMP), APP12/APP13 (Ducky, Photoshop/IPTC:
 * captions, author, place), APP14 is kept (Adobe colour transform, needed to decode), COM
 * (free-text comments). APP0 (JFIF) and APP2 (ICC colour profile) carry no personal data and
 * are kept so the picture looks the same.
 */
const DROP_JPEG = new Set([0xe1, 0xec, 0xed, 0xfe]);

/**
 * Copies a JPEG without its metadata segments. Everything from the start of scan (SOS) on is
 * image data and is copied as it is. Total: malformed input gives `{ ok: false }`, never a throw.
 */
export function stripJpegMetadata(src: Buffer): StripResult {
  if (src.length < 4 || src[0] !== 0xff || src[1] !== 0xd8) return { ok: false, message: 'not a JPEG (no start-of-image marker)' };
  const out: Buffer[] = [src.subarray(0, 2)];
  let removed = 0;
  let i = 2;
  while (i < src.length) {
    if (src[i] !== 0xff) return { ok: false, message: `malformed JPEG: expected a marker at byte ${i}` };
    // Any number of 0xFF fill bytes may precede a marker.
    let m = i + 1;
    while (m < src.length && src[m] === 0xff) m++;
    if (m >= src.length) return { ok: false, message: 'malformed JPEG: ends inside a marker' };
    const marker = src[m]!;
    if (marker === 0xd9) {
      out.push(src.subarray(i, m + 1));
      return { ok: true, bytes: Buffer.concat(out), removed };
    }
    // Standalone markers (TEM, RSTn) have no length field.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      out.push(src.subarray(i, m + 1));
      i = m + 1;
      continue;
    }
    if (m + 2 >= src.length) return { ok: false, message: 'malformed JPEG: truncated segment header' };
    const len = src.readUInt16BE(m + 1);
    const end = m + 1 + len;
    if (len < 2 || end > src.length) return { ok: false, message: 'malformed JPEG: segment runs past the end of the file' };
    if (marker === 0xda) {
      // Start of scan: the rest is entropy-coded data (and any further scans), kept whole.
      out.push(src.subarray(i));
      return { ok: true, bytes: Buffer.concat(out), removed };
    }
    if (DROP_JPEG.has(marker)) removed++;
    else out.push(src.subarray(i, end));
    i = end;
  }
  return { ok: false, message: 'malformed JPEG: no image data' };
}

/** PNG chunks that carry text or EXIF (eXIf, tEXt, iTXt, zTXt, tIME) are dropped. */
const DROP_PNG = new Set(['eXIf', 'tEXt', 'iTXt', 'zTXt', 'tIME']);

/** Copies a PNG without its text, time and EXIF chunks. Total, like `stripJpegMetadata`. */
export function stripPngMetadata(src: Buffer): StripResult {
  if (sniffImage(src) !== 'image/png') return { ok: false, message: 'not a PNG' };
  const out: Buffer[] = [src.subarray(0, 8)];
  let removed = 0;
  let i = 8;
  while (i + 12 <= src.length) {
    const len = src.readUInt32BE(i);
    const end = i + 12 + len;
    if (end > src.length) return { ok: false, message: 'malformed PNG: chunk runs past the end of the file' };
    const type = src.toString('latin1', i + 4, i + 8);
    if (DROP_PNG.has(type)) removed++;
    else out.push(src.subarray(i, end));
    i = end;
    if (type === 'IEND') return { ok: true, bytes: Buffer.concat(out), removed };
  }
  return { ok: false, message: 'malformed PNG: no IEND chunk' };
}

export function stripMetadata(type: ImageType, src: Buffer): StripResult {
  return type === 'image/jpeg' ? stripJpegMetadata(src) : stripPngMetadata(src);
}
