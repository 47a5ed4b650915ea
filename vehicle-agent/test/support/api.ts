// Tests import the package through its public entry, like the server does.
export * from '../../src/index.ts';
export type { StatusMsg } from '@lifeline/protocol';
