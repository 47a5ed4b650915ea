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
      d.counters.inc('osmand_received');
      const fix = parsed.value.fix;
      await new Promise<void>((resolve) => d.ingest.acceptPosition(vehicleId, { seq: fix.recordedAtMs, ...fix }, resolve));
      return reply.code(200).send('');
    };
    // Public: a phone app cannot log in; only device ids mapped to a unit are accepted.
    app.get('/osmand', { config: { access: 'public' } }, handler);
    app.post('/osmand', { config: { access: 'public' } }, handler);
  };
