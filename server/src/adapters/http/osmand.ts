import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { OsmAndJsonSchema, OsmAndParamsSchema, type ErrorBody } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleConfig } from '../../core/loginThrottle.ts';
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
/**
 * Unknown device ids and malformed requests per address: the 21st within the window locks the
 * address (doubling). A phone with a mapped id never fails, so it is never slowed; an address
 * guessing ids is (issue 11: 2,000 guesses in 1.4 s). Phones behind one carrier NAT share an
 * address, hence the loose limit.
 */
const OSMAND_GUESSES: LoginThrottleConfig = { ...DEFAULT_LOGIN_THROTTLE, freeFailures: 20, freeFailuresPerAddress: 20, distributedAddresses: Number.POSITIVE_INFINITY, baseLockSec: 60 };

export const osmandRoutes =
  (d: { ingest: Ingest; trackers: TrackerRegistry; counters: Counters }): FastifyPluginAsync =>
  async (app) => {
    const guesses = new LoginThrottle(OSMAND_GUESSES);
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    // Some tracker apps POST the query with an empty text/plain body. Not a cross-site risk here
    // (no session is used), so the body is read as nothing, not refused like elsewhere.
    app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 4096 }, (_req, _body, done) => done(null, {}));
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const verdict = guesses.check('osmand', req.ip, Date.now());
      if (!verdict.allowed) {
        d.counters.inc('osmand_throttled');
        return reply.code(429).header('retry-after', String(verdict.retryAfterSec)).send({ code: 'TOO_MANY_ATTEMPTS', message: `too many bad requests; try again in ${verdict.retryAfterSec} s` } satisfies ErrorBody);
      }
      const bad = (message: string) => {
        d.counters.inc('osmand_rejected');
        guesses.failed('osmand', req.ip, Date.now());
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
      if (!vehicleId) {
        // Answered like a stored position, so the answer does not tell which ids exist; an admin
        // sees the counter (osmand_unknown_device) and maps the phone (POST /api/trackers).
        d.counters.inc('osmand_unknown_device');
        guesses.failed('osmand', req.ip, Date.now());
        return reply.code(200).send('');
      }
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
    // Public: a phone app cannot log in; only device ids mapped to a unit are accepted.
    app.get('/osmand', { config: { access: 'public' } }, handler);
    app.post('/osmand', { config: { access: 'public' } }, handler);
  };
