export * from './auth.ts';
export * from './common.ts';
export * from './mqtt.ts';
export * from './rest.ts';
export * from './review.ts';
export * from './socket.ts';
export * from './topics.ts';
export * from './trackers.ts';
