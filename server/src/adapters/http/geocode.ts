import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBodySchema, GEOCODE_LIMIT, GeocodeQuerySchema, GeocodeResponseSchema, type ErrorBody, type GeocodeResult, type LatLng } from '@lifeline/protocol';
import type { Geocoder } from '../../core/geocode/geocoder.ts';
import { foldWords } from '../../core/geocode/normalize.ts';

/**
 * `GET /api/geocode?q=…&near=lat,lng`: find a street of the loaded road graph, or a hospital, by
 * name while taking a call — offline, from memory (see core/geocode). Dispatchers and up.
 */
export const geocodeRoutes =
  (geocoder: Geocoder): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/api/geocode',
      { config: { access: 'dispatch' }, schema: { querystring: GeocodeQuerySchema, response: { 200: GeocodeResponseSchema, 400: ErrorBodySchema } } },
      async (req, reply) => {
        const { q, near: nearText } = req.query;
        if (foldWords(q).length === 0) return reply.code(400).send({ code: 'BAD_REQUEST', message: 'q needs at least one letter or digit' } satisfies ErrorBody);
        let near: LatLng | undefined;
        if (nearText !== undefined) {
          const p = parseNear(nearText);
          if (!p) return reply.code(400).send({ code: 'BAD_REQUEST', message: 'near must be "lat,lng" in decimal degrees' } satisfies ErrorBody);
          near = p;
        }
        const hits = geocoder.search(q, { limit: GEOCODE_LIMIT, ...(near ? { near } : {}) });
        return hits.map(({ place: p }): GeocodeResult => ({
          name: p.name,
          kind: p.kind,
          location: p.location,
          ...(p.bbox ? { bbox: p.bbox } : {}),
          ...(p.roadClass ? { roadClass: p.roadClass } : {}),
        }));
      },
    );
  };

/** "lat,lng" → a point, or null when it is not two numbers in range. */
export function parseNear(text: string): LatLng | null {
  const m = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const lat = Number(m[1]);
  const lng = Number(m[2]);
  return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 ? { lat, lng } : null;
}
