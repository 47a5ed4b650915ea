import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { connectRedis } from '../src/adapters/cluster.ts';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('several instances: configuration', () => {
  it('REDIS_URL needs an explicit INSTANCE_ID (two instances under one name would take each other’s MQTT session)', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/set INSTANCE_ID to a name unique to each/);
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', INSTANCE_ID: 'a' }).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(loadConfig({}).redisUrl).toBeNull();
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379', INSTANCE_ID: 'a' })).toThrow(/REDIS_URL must start with redis: or rediss:/);
  });

  it('an unreachable Redis fails at once, naming REDIS_URL and what to do, without the password', async () => {
    const started = Date.now();
    const err = await connectRedis('redis://:s3cret@127.0.0.1:1', 'lifeline:test', pino({ level: 'silent' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toMatch(/cannot connect to Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\).*unset REDIS_URL to run a single instance/);
    expect(String((err as Error).message)).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
