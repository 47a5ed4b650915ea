export { startServer, DEFAULT_CENTER, type LifelineServer, type StartOptions } from './server.ts';
export { loadConfig, ConfigError, type Config } from './config.ts';
export { buildApp } from './app.ts';
export { FleetIndex } from './core/fleetIndex.ts';
export { StraightLineEtaProvider, straightLineEta, type EtaProvider, type EtaResult } from './core/eta.ts';
export { recommendUnits } from './core/recommender.ts';
export { freePort } from './adapters/store/embeddedPostgres.ts';
export { createUser } from './adapters/store/users.ts';
export { ensureDemoUsers, type DemoLogin } from './adapters/store/demoUsers.ts';
