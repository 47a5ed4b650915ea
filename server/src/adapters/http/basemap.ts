import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Topology } from 'topojson-specification';
import { BASEMAP_TILES, BasemapInfoSchema, type BasemapInfo, type ErrorBody } from '@lifeline/protocol';
import { BOUNDARY_TILE_MAXZOOM, BoundaryTiles, NATURAL_EARTH_ATTRIBUTION } from '../../core/basemap/boundaryTiles.ts';
import { ROAD_TILE_MAXZOOM, ROAD_TILE_MINZOOM, RoadTiles } from '../../core/basemap/roadTiles.ts';
import { isValidTile, type TileId } from '../../core/basemap/tiles.ts';
import type { RoadGraph } from '../../core/routing/graph.ts';

/**
 * The offline basemap over HTTP: vector tiles of the loaded road graph's roads and of Natural
 * Earth land and borders (see `BASEMAP_TILES` in protocol/). Tiles are cut on request and the
 * last few thousand kept in memory. Public: it is open map data, and the login page shows the map.
 */

/** Natural Earth 1:10m countries and land, from the `world-atlas` package (ISC; data public domain). */
export const WORLD_ATLAS_FILE = createRequire(import.meta.url).resolve('world-atlas/countries-10m.json');

export interface BasemapOptions {
  graph: RoadGraph | null;
  /** TopoJSON with `countries` and `land` objects (default: world-atlas countries-10m). */
  boundariesFile?: string;
  /** Encoded tiles kept in memory per layer set (default 4096). */
  cachedTiles?: number;
}

export class Basemap {
  readonly info: BasemapInfo;
  private readonly roads: RoadTiles | null;
  private readonly roadCache: TileCache;
  private readonly boundaryCache: TileCache;
  private boundaries: Promise<BoundaryTiles> | null = null;

  constructor(private readonly opts: BasemapOptions) {
    const g = opts.graph;
    this.roads = g ? new RoadTiles(g) : null;
    const cached = opts.cachedTiles ?? 4096;
    this.roadCache = new TileCache(cached);
    this.boundaryCache = new TileCache(cached);
    this.info = {
      roads: g
        ? {
            bounds: g.meta.bbox,
            minzoom: ROAD_TILE_MINZOOM,
            maxzoom: ROAD_TILE_MAXZOOM,
            attribution: g.meta.attribution,
            // Changes with every import, so browsers may cache tiles for good under one version.
            version: createHash('sha256').update(`${g.meta.source}|${g.meta.builtAt}|${g.meta.formatVersion}`).digest('hex').slice(0, 12),
          }
        : null,
      boundaries: { maxzoom: BOUNDARY_TILE_MAXZOOM, attribution: NATURAL_EARTH_ATTRIBUTION },
    };
  }

  /** An encoded road tile, or null when it holds no road (or no graph is loaded). */
  roadTile(id: TileId): Uint8Array | null {
    const roads = this.roads;
    if (!roads) return null;
    return this.roadCache.get(id, () => roads.tile(id));
  }

  /** An encoded land/borders tile, or null. The data is read on the first request (≈ 0.5 s). */
  async boundaryTile(id: TileId): Promise<Uint8Array | null> {
    this.boundaries ??= readFile(this.opts.boundariesFile ?? WORLD_ATLAS_FILE, 'utf8').then((text) => new BoundaryTiles(JSON.parse(text) as Topology));
    const tiles = await this.boundaries;
    return this.boundaryCache.get(id, () => tiles.tile(id));
  }
}

/** Least-recently-used encoded tiles (null = known empty). */
class TileCache {
  private readonly map = new Map<string, Uint8Array | null>();
  constructor(private readonly max: number) {}
  get(id: TileId, make: () => Uint8Array | null): Uint8Array | null {
    const key = `${id.z}/${id.x}/${id.y}`;
    if (this.map.has(key)) {
      const hit = this.map.get(key)!;
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const tile = make();
    this.map.set(key, tile);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return tile;
  }
}

/** `{y}` may carry the `.pbf` extension. */
const TileParams = Type.Object({
  z: Type.String({ pattern: '^[0-9]{1,2}$' }),
  x: Type.String({ pattern: '^[0-9]{1,8}$' }),
  y: Type.String({ pattern: '^[0-9]{1,8}(\\.pbf|\\.mvt)?$' }),
});

export const basemapRoutes =
  (basemap: Basemap): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tileId = (p: { z: string; x: string; y: string }): TileId | null => {
      const id = { z: Number(p.z), x: Number(p.x), y: Number.parseInt(p.y, 10) };
      return isValidTile(id) ? id : null;
    };
    const bad = (p: { z: string; x: string; y: string }): ErrorBody => ({ code: 'BAD_REQUEST', message: `no tile ${p.z}/${p.x}/${p.y} (z 0–22, x and y below 2^z)` });
    const send = (reply: import('fastify').FastifyReply, tile: Uint8Array | null, maxAgeSec: number) => {
      void reply.header('cache-control', `public, max-age=${maxAgeSec}`);
      if (!tile) return reply.code(204).send();
      return reply.type('application/vnd.mapbox-vector-tile').send(Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength));
    };

    app.get('/api/basemap', { config: { access: 'public' }, schema: { response: { 200: BasemapInfoSchema } } }, async () => basemap.info);

    app.get(`${BASEMAP_TILES.roads}/:z/:x/:y`, { config: { access: 'public' }, schema: { params: TileParams } }, async (req, reply) => {
      const id = tileId(req.params);
      if (!id) return reply.code(400).send(bad(req.params));
      // The URL carries the graph's version (?v=), so a tile may be cached as long as the browser likes.
      return send(reply, basemap.roadTile(id), 7 * 24 * 3600);
    });

    app.get(`${BASEMAP_TILES.boundaries}/:z/:x/:y`, { config: { access: 'public' }, schema: { params: TileParams } }, async (req, reply) => {
      const id = tileId(req.params);
      if (!id) return reply.code(400).send(bad(req.params));
      return send(reply, await basemap.boundaryTile(id), 7 * 24 * 3600);
    });
  };
