import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { PublicReport, Report } from '@lifeline/protocol';
import type { LifelineServer } from '../../src/server.ts';
import { api, login, TestEnv } from '../helpers.ts';

/** A structurally valid JPEG with an EXIF block that names a GPS position. */
function jpegWithExif(fill = 0): Buffer {
  const seg = (marker: number, body: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')),
    seg(0xe1, Buffer.from('Exif\0\0GPSLatitude=10.9812', 'latin1')),
    seg(0xdb, Buffer.alloc(65, 1)),
    seg(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
    seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
    Buffer.from([fill, 0x12, 0x34, 0xff, 0xd9]),
  ]);
}

type Photo = { name: string; type: string; bytes: Buffer };
const form = (report: unknown, photos: Photo[]) => {
  const f = new FormData();
  f.append('report', JSON.stringify(report));
  for (const p of photos) f.append('photo', new Blob([new Uint8Array(p.bytes)], { type: p.type }), p.name);
  return f;
};

async function post(base: string, p: string, body: FormData | string, headers: Record<string, string> = {}) {
  const res = await fetch(base + p, { method: 'POST', body, headers });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: json };
}

// Inside the demo "UBND TP. Thủ Dầu Một" rectangle.
const IN_TDM = { lat: 10.98, lng: 106.66 };
const report = (over: Record<string, unknown> = {}) => ({
  type: 'field_report',
  categoryId: 'traffic',
  description: 'Cây đổ chắn đường, không có người bị thương',
  location: IN_TDM,
  callerPhone: '0912 345 678',
  ...over,
});

describe('line 1022 reports (embedded PostgreSQL)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let tdm: string;
  let other: string;
  let supervisor: string;
  const mediaDir = () => path.join(env.dataDir, 'media');
  const stored = async () => ({ files: (await readdir(mediaDir())).filter((f) => f !== 'tmp'), tmp: await readdir(path.join(mediaDir(), 'tmp')) });

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    tdm = await login(server, 'agency', { username: 'agency-tdm', agencyId: 'ubnd-thu-dau-mot' });
    other = await login(server, 'agency', { username: 'agency-gtvt', agencyId: 'so-gtvt' });
    supervisor = await login(server, 'supervisor');
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('citizen report with two photos → routed → agency answers → citizen sees it with the code → rates → KPIs count it', async () => {
    const created = await post(server.url, '/api/public/reports', form(report(), [
      { name: 'a.jpg', type: 'image/jpeg', bytes: jpegWithExif(1) },
      { name: 'b.jpg', type: 'image/jpeg', bytes: jpegWithExif(2) },
    ]));
    expect(created.status).toBe(201);
    const r = created.body.report as Report;
    const code = created.body.trackingCode as string;
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    expect(r).toMatchObject({ state: 'forwarded', agencyId: 'ubnd-thu-dau-mot', channel: 'web', unrouted: false, callerPhone: '0912345678' });
    expect(r.media).toHaveLength(2);
    // Traffic at UBND Thủ Dầu Một: 24 h.
    expect(Date.parse(r.dueAt!) - Date.parse(r.createdAt)).toBeGreaterThan(23.9 * 3600_000);
    // The tracking code is not stored, only its hash.
    const row = await server.db.selectFrom('reports').select('tracking_hash').where('id', '=', r.id).executeTakeFirstOrThrow();
    expect(row.tracking_hash).not.toContain(code.replace(/-/g, ''));

    // The stored photos have no EXIF.
    const photo = await fetch(`${server.url}/api/reports/${r.id}/media/${r.media[0]!.id}`, { headers: { authorization: `Bearer ${tdm}` } });
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await photo.arrayBuffer());
    expect(bytes.includes(Buffer.from('GPSLatitude'))).toBe(false);
    expect(bytes.subarray(0, 2).equals(Buffer.from([0xff, 0xd8]))).toBe(true);

    // The agency sees it in its list, accepts, answers, attaches a photo of the fix, closes.
    const mine = await api<Report[]>(server.url, 'GET', '/api/reports?open=true', undefined, tdm);
    expect(mine.body.map((x) => x.id)).toContain(r.id);
    expect((await api(server.url, 'POST', `/api/agency/reports/${r.id}/close`, undefined, tdm)).status).toBe(409);
    expect((await api(server.url, 'POST', `/api/agency/reports/${r.id}/accept`, undefined, tdm)).body).toMatchObject({ state: 'accepted' });
    const fix = new FormData();
    fix.append('photo', new Blob([new Uint8Array(jpegWithExif(3))], { type: 'image/jpeg' }), 'fixed.jpg');
    const attached = await post(server.url, `/api/agency/reports/${r.id}/media`, fix, { authorization: `Bearer ${tdm}` });
    expect(attached.status).toBe(201);
    expect((attached.body as Report).media.filter((m) => m.kind === 'agency')).toHaveLength(1);
    expect((await api(server.url, 'POST', `/api/agency/reports/${r.id}/answer`, { text: 'Đã cắt dọn cây, thông đường lúc 10 giờ.' }, tdm)).status).toBe(200);
    expect((await api(server.url, 'POST', `/api/agency/reports/${r.id}/close`, undefined, tdm)).body).toMatchObject({ state: 'closed' });

    // The citizen, with the code only (any case, dashes optional).
    const seen = await api<PublicReport>(server.url, 'POST', '/api/public/reports/track', { code: code.toLowerCase().replace(/-/g, '') }, null);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ state: 'closed', answer: 'Đã cắt dọn cây, thông đường lúc 10 giờ.', agencyName: 'UBND TP. Thủ Dầu Một', rating: null });
    expect(seen.body).not.toHaveProperty('callerPhone');
    expect(seen.body.media).toHaveLength(3);
    const fixPhoto = seen.body.media.find((m) => m.kind === 'agency')!;
    expect((await fetch(`${server.url}/api/public/media/${fixPhoto.id}`, { headers: { 'x-tracking-code': code } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/public/media/${fixPhoto.id}`, { headers: { 'x-tracking-code': 'AAAA-BBBB-CCCC-DDDD' } })).status).toBe(404);
    expect((await fetch(`${server.url}/api/public/media/${fixPhoto.id}`)).status).toBe(404);

    expect((await api(server.url, 'POST', '/api/public/reports/rate', { code, rating: 'satisfied' }, null)).body).toMatchObject({ rating: 'satisfied' });
    expect((await api(server.url, 'POST', '/api/public/reports/rate', { code, rating: 'unsatisfied' }, null)).status).toBe(409);

    // Everything is on the timeline, in order.
    const tl = await api<{ type: string; actor: string }[]>(server.url, 'GET', `/api/reports/${r.id}/timeline`);
    expect(tl.body.map((e) => e.type)).toEqual(['ReportReceived', 'ReportRouted', 'ReportAccepted', 'MediaAttached', 'ReportAnswered', 'ReportClosed', 'ReportRated']);
    expect(tl.body.at(-1)!.actor).toBe('citizen');

    const win = `from=${new Date(Date.now() - 3600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const k = await api<{ groups: { key: Record<string, string>; requests: number; forwarded: number; answeredInTime: number; satisfied: number; rated: number }[] }>(
      server.url,
      'GET',
      `/api/line1022/kpis?${win}&groupBy=agency`,
      undefined,
      supervisor,
    );
    expect(k.status).toBe(200);
    expect(k.body.groups.find((g) => g.key.agency === 'ubnd-thu-dau-mot')).toMatchObject({ forwarded: 1, answeredInTime: 1, rated: 1, satisfied: 1 });
    const csv = await fetch(`${server.url}/api/line1022/kpis.csv?${win}&groupBy=agency,category`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect(await csv.text()).toMatch(/^agency,category,requests,/);
    expect((await api(server.url, 'GET', `/api/line1022/kpis?${win}`, undefined, tdm)).status).toBe(403);
  });

  it('an agency never sees another agency’s reports or photos, by id', async () => {
    const created = await post(server.url, '/api/public/reports', form(report({ callerPhone: '0933000111' }), [{ name: 'a.png', type: 'image/png', bytes: jpegWithExif() }]));
    expect(created.status).toBe(201);
    const r = created.body.report as Report;
    expect(r.agencyId).toBe('ubnd-thu-dau-mot');
    const mediaId = r.media[0]!.id;
    expect((await api(server.url, 'GET', `/api/reports/${r.id}`, undefined, other)).status).toBe(404);
    expect((await api(server.url, 'GET', `/api/reports/${r.id}/timeline`, undefined, other)).status).toBe(404);
    expect((await fetch(`${server.url}/api/reports/${r.id}/media/${mediaId}`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(404);
    expect((await api<Report[]>(server.url, 'GET', '/api/reports', undefined, other)).body.map((x) => x.id)).not.toContain(r.id);
    for (const action of ['accept', 'close', 'send-back']) {
      expect((await api(server.url, 'POST', `/api/agency/reports/${r.id}/${action}`, action === 'send-back' ? { reason: 'not ours' } : undefined, other)).status).toBe(404);
    }
    // The agency passes it on to the other: now the other sees it and the first does not.
    expect((await api(server.url, 'POST', `/api/agency/reports/${r.id}/pass-on`, { agencyId: 'so-gtvt', reason: 'quốc lộ, thuộc Sở' }, tdm)).body).toMatchObject({ state: 'forwarded', agencyId: 'so-gtvt' });
    expect((await api(server.url, 'GET', `/api/reports/${r.id}`, undefined, other)).status).toBe(200);
    expect((await api(server.url, 'GET', `/api/reports/${r.id}`, undefined, tdm)).status).toBe(404);
    expect((await fetch(`${server.url}/api/reports/${r.id}/media/${mediaId}`, { headers: { authorization: `Bearer ${tdm}` } })).status).toBe(404);
    // Sent back to the centre: no agency sees it; the dispatcher overrides with a reason.
    expect((await api(server.url, 'POST', `/api/agency/reports/${r.id}/send-back`, { reason: 'không thuộc thẩm quyền' }, other)).body).toMatchObject({ state: 'returned', agencyId: null });
    expect((await api(server.url, 'GET', `/api/reports/${r.id}`, undefined, other)).status).toBe(404);
    expect((await api(server.url, 'POST', `/api/reports/${r.id}/forward`, { agencyId: 'ubnd-thu-dau-mot', reason: 'đường nội thị' })).body).toMatchObject({ state: 'forwarded', agencyId: 'ubnd-thu-dau-mot' });
    const tl = await api<{ type: string; data: Record<string, unknown> }[]>(server.url, 'GET', `/api/reports/${r.id}/timeline`);
    expect(tl.body.map((e) => e.type)).toEqual(['ReportReceived', 'ReportRouted', 'ReportPassedOn', 'ReportReturned', 'ReportForwarded']);
    expect(tl.body.at(-1)!.data).toMatchObject({ reason: 'đường nội thị', agencyId: 'ubnd-thu-dau-mot' });
    // Other roles: hospital and crew may not read reports at all.
    expect((await api(server.url, 'GET', `/api/reports/${r.id}`, undefined, await login(server, 'hospital'))).status).toBe(403);
  });

  it('no agency for the category and place: stays with the centre, flagged; a flagged caller’s report arrives marked', async () => {
    await api(server.url, 'POST', '/api/callers/0944000222/flag', { flagged: true, reason: 'quấy rối' });
    const created = await post(server.url, '/api/public/reports', form(report({ categoryId: 'other', callerPhone: '0944000222' }), []));
    expect(created.status).toBe(201);
    expect(created.body.report).toMatchObject({ state: 'received', agencyId: null, unrouted: true, callerFlagged: true, dueAt: null });
  });

  it('the centre takes a procedure question by phone and answers it itself', async () => {
    const r = await api(server.url, 'POST', '/api/reports', { type: 'procedure_question', description: 'Thủ tục cấp lại CCCD?', callerPhone: '0955000333' });
    expect(r.status).toBe(201);
    expect(r.body.report).toMatchObject({ state: 'received', unrouted: false, channel: 'phone' });
    const id = r.body.report.id;
    expect((await api(server.url, 'POST', `/api/reports/${id}/close`)).status).toBe(409);
    await api(server.url, 'POST', `/api/reports/${id}/answer`, { text: 'Mang CCCD cũ đến Công an phường.' });
    expect((await api(server.url, 'POST', `/api/reports/${id}/close`)).body).toMatchObject({ state: 'closed' });
  });

  describe('bad uploads are refused with a clear error and nothing is stored', () => {
    const cases: [string, () => FormData | string, Record<string, string>, number, RegExp][] = [
      ['an oversized photo', () => form(report({ callerPhone: '0966000001' }), [{ name: 'big.jpg', type: 'image/jpeg', bytes: Buffer.concat([jpegWithExif(), Buffer.alloc(9 * 1024 * 1024)]) }]), {}, 413, /larger than/],
      ['a script named .jpg', () => form(report({ callerPhone: '0966000002' }), [{ name: 'x.jpg', type: 'image/jpeg', bytes: Buffer.from('<script>alert(1)</script>') }]), {}, 400, /JPEG or PNG/],
      ['a good photo followed by a bad one', () => form(report({ callerPhone: '0966000003' }), [{ name: 'a.jpg', type: 'image/jpeg', bytes: jpegWithExif() }, { name: 'b.gif', type: 'image/gif', bytes: Buffer.from('GIF89a....') }]), {}, 400, /JPEG or PNG/],
      ['a truncated JPEG', () => form(report({ callerPhone: '0966000004' }), [{ name: 'a.jpg', type: 'image/jpeg', bytes: jpegWithExif().subarray(0, 30) }]), {}, 400, /cannot be read/],
      ['five photos', () => form(report({ callerPhone: '0966000005' }), Array.from({ length: 5 }, () => ({ name: 'a.jpg', type: 'image/jpeg', bytes: jpegWithExif() }))), {}, 413, /at most 4/],
      ['malformed multipart', () => '--xyz\r\nContent-Disposition: form-data; name="report"\r\n\r\n{"type":', { 'content-type': 'multipart/form-data; boundary=xyz' }, 400, /malformed multipart|report:/],
      ['no multipart at all', () => JSON.stringify(report()), { 'content-type': 'application/json' }, 400, /multipart/],
      ['a bad report field', () => form({ ...report(), callerPhone: 'not a phone' }, [{ name: 'a.jpg', type: 'image/jpeg', bytes: jpegWithExif() }]), {}, 400, /report: \/callerPhone/],
      ['an unknown category', () => form(report({ categoryId: 'weather', callerPhone: '0966000006' }), [{ name: 'a.jpg', type: 'image/jpeg', bytes: jpegWithExif() }]), {}, 400, /no category/],
    ];
    it.each(cases)('%s', async (_name, body, headers, status, message) => {
      const before = await server.db.selectFrom('reports').select(server.db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      const filesBefore = await stored();
      const r = await post(server.url, '/api/public/reports', body(), headers);
      expect(r.status).toBe(status);
      expect(r.body.message).toMatch(message);
      const after = await server.db.selectFrom('reports').select(server.db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
      expect(await stored()).toEqual({ files: filesBefore.files, tmp: [] });
    });
  });

  it('rate limit per phone number: the sixth report within the hour is refused, with Retry-After', async () => {
    for (let i = 0; i < 5; i++) expect((await post(server.url, '/api/public/reports', form(report({ callerPhone: '0977000777' }), []))).status).toBe(201);
    const r = await fetch(`${server.url}/api/public/reports`, { method: 'POST', body: form(report({ callerPhone: '+84 977 000 777' }), []) });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('admin import: JSON and CSV, a broken polygon changes nothing', async () => {
    const admin = await login(server, 'admin');
    const csv = 'id,name,categories,area\nphuong-x,Phường X,"traffic:6;environment","{""type"":""Polygon"",""coordinates"":[[[106.655,10.975],[106.665,10.975],[106.665,10.985],[106.655,10.985],[106.655,10.975]]]}"\n';
    const r = await fetch(`${server.url}/api/line1022/import?kind=agencies`, { method: 'POST', body: csv, headers: { 'content-type': 'text/csv', authorization: `Bearer ${admin}` } });
    expect(r.status).toBe(200);
    // The new ward is smaller than the city: it now gets traffic reports inside it, with its deadline.
    const created = await api(server.url, 'POST', '/api/reports', report({ callerPhone: '0988000888' }));
    expect(created.body.report).toMatchObject({ agencyId: 'phuong-x' });
    const bad = await api(server.url, 'POST', '/api/line1022/import', { agencies: [{ id: 'phuong-y', name: 'Y', area: { type: 'Polygon', coordinates: [[[1, 1], [2, 1], [2, 2], [1, 2], [1, 1.5]]] }, categories: {} }] }, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/must end where it starts/);
    expect(await server.db.selectFrom('agencies').select('id').where('id', '=', 'phuong-y').executeTakeFirst()).toBeUndefined();
    expect((await api(server.url, 'POST', '/api/line1022/import', { categories: [] }, supervisor)).status).toBe(403);
  });
});
