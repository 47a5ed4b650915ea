import type { FastifyPluginAsync } from 'fastify';
import { OsmAndJsonSchema, OsmAndParamsSchema, type ErrorBody } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import { fromOsmAndJson, fromOsmAndParams } from '../../core/trackers.ts';
import type { Counters } from '../../counters.ts';
import type { Ingest } from '../mqtt/ingest.ts';
import type { TrackerRegistry } from '../store/trackers.ts';

const paramsParser = compileParser(OsmAndParamsSchema);
const jsonParser = compileParser(OsmAndJsonSchema);

/**
 * The OsmAnd / Traccar Client HTTP protocol at `/osmand` (GET or POST; query, form or JSON), so a
 * crew's phone can stand in for a unit. Only device ids mapped to a unit (`POST /api/trackers`)
 * are accepted. The 200 is sent after the position is committed: the app's only
 * acknowledgement is the reply, so it must mean "stored".
 */
export const osmandRoutes =
  (d: { ingest: Ingest; trackers: TrackerRegistry; counters: Counters }): FastifyPluginAsync =>
  async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    const handler = async (req: { query: unknown; body: unknown }, reply: { code(n: number): { send(b: unknown): unknown } }) => {
      const bad = (message: string) => {
        d.counters.inc('osmand_rejected');
        return reply.code(400).send({ code: 'BAD_REQUEST', message } satisfies ErrorBody);
      };
      const body = req.body && typeof req.body === 'object' ? req.body : {};
      let parsed;
      if ('device_id' in body || 'location' in body) {
        const j = jsonParser.validate(body);
        if (!j.ok) return bad(j.error);
        parsed = fromOsmAndJson(j.value);
      } else {
        const p = paramsParser.validate({ ...(req.query as object), ...body });
        if (!p.ok) return bad(p.error);
        parsed = fromOsmAndParams(p.value, Date.now());
      }
      if (!parsed.ok) return bad(parsed.error);
      const vehicleId = d.trackers.unitFor('osmand', parsed.value.deviceKey);
      if (!vehicleId) return bad('unknown device: map it to a unit first (POST /api/trackers)');
      const fix = parsed.value.fix;
      const late = d.ingest.timeProblem(fix.recordedAtMs);
      if (late) {
        // Kept with its reason (the reply tells the phone; the dead letter tells the operator).
        await d.ingest.refuseHttp({ source: 'osmand', vehicleId, payload: JSON.stringify({ query: req.query, body: req.body }), reason: late, sqlstate: null });
        return bad(late);
      }
      d.counters.inc('osmand_received');
      // 200 once the row is durable — stored, or dead-lettered if the database refused it (sending
      // it again would be refused again); 503 if the server stops first (the app sends it again).
      const committed = await new Promise<boolean>((resolve) => d.ingest.acceptPosition(vehicleId, { seq: fix.recordedAtMs, ...fix }, { onCommitted: () => resolve(true), onAbandoned: () => resolve(false) }));
      if (!committed) return reply.code(503).send({ code: 'INTERNAL', message: 'the server is stopping; send the position again' } satisfies ErrorBody);
      return reply.code(200).send('');
    };
    app.get('/osmand', handler);
    app.post('/osmand', handler);
  };
