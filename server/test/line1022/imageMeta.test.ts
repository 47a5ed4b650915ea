import { describe, expect, it } from 'vitest';
import { sniffImage, stripJpegMetadata, stripPngMetadata } from '../../src/core/line1022/imageMeta.ts';

const seg = (marker: number, payload: string | Buffer) => {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const head = Buffer.alloc(4);
  head[0] = 0xff;
  head[1] = marker;
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
};
const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);
const jfif = seg(0xe0, 'JFIF\0\x01\x01\0\0\x01\0\x01\0\0');
const exif = seg(0xe1, 'Exif\0\0GPSLatitude=10.98;GPSLongitude=106.66;Serial=XYZ');
const iptc = seg(0xed, 'Photoshop 3.0\0caption: my house');
const comment = seg(0xfe, 'taken at home');
const dqt = seg(0xdb, Buffer.alloc(65, 1));
const sof = seg(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
// The scan header, then entropy-coded bytes that contain a stuffed 0xFF00 and a restart marker.
const scan = Buffer.concat([seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])), Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56]), EOI]);

describe('stripJpegMetadata', () => {
  it('drops EXIF, IPTC and comments and keeps everything needed to decode, byte for byte', () => {
    const src = Buffer.concat([SOI, jfif, exif, iptc, comment, dqt, sof, scan]);
    const r = stripJpegMetadata(src);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.removed).toBe(3);
    expect(r.bytes.equals(Buffer.concat([SOI, jfif, dqt, sof, scan]))).toBe(true);
    expect(r.bytes.includes(Buffer.from('GPSLatitude'))).toBe(false);
  });

  it('leaves a clean JPEG as it is, fill bytes included', () => {
    const src = Buffer.concat([SOI, Buffer.from([0xff]), jfif, dqt, sof, scan]);
    const r = stripJpegMetadata(src);
    expect(r.ok && r.bytes.equals(src) && r.removed === 0).toBe(true);
  });

  it.each([
    ['not a JPEG', Buffer.from('GIF89a........')],
    ['truncated segment', Buffer.concat([SOI, exif.subarray(0, 10)])],
    ['garbage where a marker should be', Buffer.concat([SOI, Buffer.from([0x00, 0x01, 0x02, 0x03])])],
    ['no image data', Buffer.concat([SOI, jfif])],
    ['segment length below 2', Buffer.concat([SOI, Buffer.from([0xff, 0xe0, 0x00, 0x01, 0, 0])])],
    ['ends inside a marker', Buffer.concat([SOI, Buffer.from([0xff, 0xff, 0xff])])],
  ])('refuses %s without throwing', (_n, src) => {
    expect(stripJpegMetadata(src).ok).toBe(false);
  });
});

const chunk = (type: string, data: Buffer | string) => {
  const body = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, Buffer.from(type, 'latin1'), body, Buffer.alloc(4)]); // CRC not checked here
};
const PNG_SIG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('stripPngMetadata', () => {
  it('drops text, time and EXIF chunks', () => {
    const ihdr = chunk('IHDR', Buffer.alloc(13));
    const idat = chunk('IDAT', Buffer.from([1, 2, 3]));
    const iend = chunk('IEND', '');
    const src = Buffer.concat([PNG_SIG, ihdr, chunk('tEXt', 'Author\0me'), chunk('eXIf', 'MM\0*GPS'), idat, chunk('tIME', Buffer.alloc(7)), iend]);
    const r = stripPngMetadata(src);
    expect(r.ok && r.removed === 3 && r.bytes.equals(Buffer.concat([PNG_SIG, ihdr, idat, iend]))).toBe(true);
  });
  it('refuses a PNG without IEND', () => expect(stripPngMetadata(Buffer.concat([PNG_SIG, chunk('IHDR', Buffer.alloc(13))])).ok).toBe(false));
  it('refuses a chunk longer than the file', () => expect(stripPngMetadata(Buffer.concat([PNG_SIG, Buffer.from([0, 0, 1, 0]), Buffer.from('IDAT')])).ok).toBe(false));
});

describe('sniffImage', () => {
  it.each([
    ['jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
    ['png', PNG_SIG, 'image/png'],
    ['gif', Buffer.from('GIF89a'), null],
    ['html posing as an image', Buffer.from('<html><script>'), null],
    ['empty', Buffer.alloc(0), null],
  ])('%s', (_n, head, type) => expect(sniffImage(head)).toBe(type));
});
