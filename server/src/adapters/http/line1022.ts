import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { line1022PublicRoutes, type Line1022Deps } from './line1022Public.ts';
import { line1022StaffRoutes } from './line1022Staff.ts';

export type { Line1022Deps };

/** Line 1022 routes. Multipart is registered in this scope only: every other route keeps JSON bodies. */
export const line1022Routes =
  (d: Line1022Deps): FastifyPluginAsyncTypebox =>
  async (app) => {
    // The size limit is checked on each file (`truncated`), so a too-large photo is a clear 413, not a stream error.
    await app.register(multipart, { throwFileSizeLimit: false });
    await app.register(line1022PublicRoutes(d));
    await app.register(line1022StaffRoutes(d));
  };
