import { describe, expect, it, vi } from 'vitest';
import { clientIdAllowed, mosquittoAcl, serverClientId } from '../../src/adapters/auth/mqttCredentials.ts';
import { mosquittoConf } from '../../src/adapters/auth/mosquittoFiles.ts';
import { throttledWarn } from '../../src/adapters/logThrottle.ts';
import { PacketSizeGuard } from '../../src/adapters/mqtt/packetGuard.ts';
import { loadConfig } from '../../src/config.ts';

describe('client ids bound to identities', () => {
  it.each([
    ['lifeline-agent-BD-001', 'BD-001', true],
    ['BD-001', 'BD-001', true],
    ['lifeline-agent-BD-002', 'BD-001', false],
    ['BD-002', 'BD-001', false],
    ['lifeline-agent-BD-001-x', 'BD-001', false], // would be unit BD-001-x's id
    ['lifeline-server-lifeline-v1-main', 'BD-001', false],
    ['lifeline-server-lifeline-v1-main', null, true],
    ['lifeline-agent-BD-001', null, false],
    ['lifeline-server-x', 'lifeline-server-x', false], // reserved unit ids never log in
  ] as const)('%s as %s → %s', (clientId, unit, ok) => {
    expect(clientIdAllowed(clientId, unit)).toBe(ok);
  });

  it('puts the topic prefix in the server’s client id', () => {
    expect(serverClientId('lifeline/v1', 'main')).toBe('lifeline-server-lifeline-v1-main');
    expect(serverClientId('cityA/lifeline', 'main')).not.toBe(serverClientId('cityB/lifeline', 'main'));
    expect(serverClientId('a b/ç', 'x')).toMatch(/^lifeline-server-[A-Za-z0-9_-]+$/);
    expect(serverClientId('p'.repeat(500), 'main').length).toBeLessThanOrEqual(16 + 48 + 1 + 4);
  });
});

describe('generated Mosquitto configuration', () => {
  it('ties client ids to usernames, refuses anonymous clients and bounds packets', () => {
    const conf = mosquittoConf({ passwd: '/x/passwd', acl: '/x/acl' }, { port: 1884, host: '127.0.0.1' });
    const lines = conf.split('\n');
    expect(lines.indexOf('listener 1884 127.0.0.1')).toBeLessThan(lines.indexOf('use_username_as_clientid true'));
    for (const l of ['allow_anonymous false', 'password_file /x/passwd', 'acl_file /x/acl', 'max_packet_size 16384']) expect(lines).toContain(l);
  });
  it('gives every server user the prefix', () => {
    const acl = mosquittoAcl('lifeline/v1', ['lifeline-server-a', 'lifeline-server-b']);
    expect(acl).toContain('user lifeline-server-a\ntopic readwrite lifeline/v1/#');
    expect(acl).toContain('user lifeline-server-b\ntopic readwrite lifeline/v1/#');
  });
});

describe('secure defaults', () => {
  it('MQTT authentication is on unless MQTT_AUTH=0', () => {
    expect(loadConfig({}).mqttAuth).toBe(true);
    expect(loadConfig({ MQTT_AUTH: '1' }).mqttAuth).toBe(true);
    expect(loadConfig({ MQTT_AUTH: '0' }).mqttAuth).toBe(false);
    expect(() => loadConfig({ MQTT_AUTH: 'no' })).toThrow(/MQTT_AUTH/);
  });
  it('demo users only for the embedded demo, or when DEMO_USERS=1 asks', () => {
    expect(loadConfig({}).demoUsers).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x' }).demoUsers).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', DEMO_USERS: '1' }).demoUsers).toBe(true);
    expect(loadConfig({ DEMO_USERS: '0' }).demoUsers).toBe(false);
    expect(loadConfig({ SEED_DEMO: '0' }).demoUsers).toBe(false);
  });
});

describe('PacketSizeGuard', () => {
  const header = (type: number, length: number) => {
    const bytes = [type];
    do {
      let b = length % 128;
      length = Math.floor(length / 128);
      if (length > 0) b |= 0x80;
      bytes.push(b);
    } while (length > 0);
    return Buffer.from(bytes);
  };
  it('follows packets across chunks and passes those within the limit', () => {
    const g = new PacketSizeGuard(100);
    const p1 = Buffer.concat([header(0x30, 50), Buffer.alloc(50)]);
    const p2 = Buffer.concat([header(0xc0, 0)]); // PINGREQ: no body
    const stream = Buffer.concat([p1, p2, p1]);
    for (let i = 0; i < stream.length; i += 7) expect(g.feed(stream.subarray(i, i + 7))).toBe(true);
  });
  it('refuses a header announcing more than the limit, before its body', () => {
    const g = new PacketSizeGuard(16 * 1024);
    const h = header(0x30, 1024 * 1024);
    expect(g.feed(h.subarray(0, 2))).toBe(true);
    expect(g.feed(h.subarray(2))).toBe(false);
  });
  it('refuses a remaining length longer than 4 bytes', () => {
    expect(new PacketSizeGuard(1e9).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(false);
  });
});

describe('throttledWarn', () => {
  it('logs the first refusal, then one summary per window with the count', () => {
    vi.useFakeTimers();
    try {
      const lines: { o: Record<string, unknown>; m: string }[] = [];
      const warn = throttledWarn({ warn: (o, m) => lines.push({ o: o as Record<string, unknown>, m }) }, 'MQTT access denied', 10_000);
      for (let i = 0; i < 1000; i++) warn(i % 2 ? 'unit credentials' : 'anonymous');
      expect(lines).toHaveLength(1);
      vi.advanceTimersByTime(10_000);
      expect(lines).toHaveLength(2);
      expect(lines[1]!.o).toMatchObject({ count: 999, reasons: { 'unit credentials': 500, anonymous: 499 } });
      vi.advanceTimersByTime(60_000);
      warn('anonymous');
      expect(lines).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
