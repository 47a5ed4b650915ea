import mqtt, { type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  json: unknown;
  retain: boolean;
  at: number;
}

/**
 * A test MQTT client that records every message and lets a test wait for the one it expects.
 * The timeout is a deadline for a failure message, not a sleep: waits end as soon as the message arrives.
 */
export class Probe {
  readonly messages: Received[] = [];
  private waiters = new Set<{ pred: (m: Received) => boolean; resolve: (m: Received) => void }>();

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        json = payload.toString('utf8');
      }
      const m: Received = { topic, json, retain: packet.retain, at: Date.now() };
      this.messages.push(m);
      for (const w of this.waiters) {
        if (w.pred(m)) {
          this.waiters.delete(w);
          w.resolve(m);
        }
      }
    });
  }

  static async connect(url: string, topics: string[]): Promise<Probe> {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `probe-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0 });
    const probe = new Probe(client);
    if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
    return probe;
  }

  /** Resolves with the first message (already received or future) matching `pred`. */
  waitFor(pred: (m: Received) => boolean, what: string, timeoutMs = 15_000): Promise<Received> {
    const seen = this.messages.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: (m: Received) => {
          clearTimeout(t);
          resolve(m);
        },
      };
      const t = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.messages.length} messages`));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** Messages received after index `from` on `topic`. */
  on(topic: string, from = 0): Received[] {
    return this.messages.slice(from).filter((m) => m.topic === topic);
  }

  publish(topic: string, payload: unknown): Promise<unknown> {
    return this.client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

/** Resolves when `count` events matching `pred` have been emitted, or rejects at the deadline. */
export function waitForEvents<T extends unknown[]>(
  emitter: { on(e: string, l: (...a: T) => void): unknown; off(e: string, l: (...a: T) => void): unknown },
  event: string,
  pred: (...a: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const l = (...a: T) => {
      if (!pred(...a)) return;
      clearTimeout(t);
      emitter.off(event, l);
      resolve(a);
    };
    const t = setTimeout(() => {
      emitter.off(event, l);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    emitter.on(event, l);
  });
}
