import type { CreateUserBody, Vehicle } from '@lifeline/protocol';

/**
 * The part of `@lifeline/server` the browser tests use, imported untyped on purpose: a static
 * import would type-check the whole server under the UI's tsconfig. `db` is the server's Kysely
 * instance; only its plain query builder is used (to seed history, to create users).
 */
export interface LifelineServer {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: any;
  mqttUrl: string;
  fleet: { view(id: string): Vehicle | null };
  stop(): Promise<void>;
}
interface ServerModule {
  loadConfig(env: Record<string, string>): unknown;
  startServer(cfg: unknown, o: { uiDir: string }): Promise<LifelineServer>;
  createUser(db: unknown, body: CreateUserBody): Promise<{ ok: boolean; message?: string }>;
}
export const { loadConfig, startServer, createUser } = (await import('@lifeline/server' as string)) as ServerModule;
