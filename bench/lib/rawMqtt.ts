import net from 'node:net';
import mqttPacket from 'mqtt-packet';

/**
 * A bare MQTT 3.1.1 client on one TCP socket, for load generation: QoS 1 PUBLISH packets are
 * encoded by hand into one buffer per tick, so the generator spends its CPU on the broker's side
 * of the wire rather than on client bookkeeping (mqtt.js costs several µs per message). Incoming
 * QoS 1 messages are acknowledged at once.
 */
export class RawMqtt {
  private socket!: net.Socket;
  private parser = mqttPacket.parser({ protocolVersion: 4 });
  private nextId = 1;
  private readonly inFlight = new Set<number>();
  private pendingWrites: Buffer[] = [];
  private pendingBytes = 0;
  private waiters = new Map<string, (p: mqttPacket.Packet) => void>();
  private flushQueued = false;
  acked = 0;
  published = 0;
  onMessage: ((topic: string, payload: Buffer) => void) | null = null;
  onAck: (() => void) | null = null;

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  async connect(host: string, port: number, clientId: string): Promise<void> {
    this.socket = net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.parser.on('packet', (p) => this.onPacket(p));
    this.parser.on('error', (err) => this.socket.destroy(err));
    this.socket.on('data', (d) => this.parser.parse(d));
    await new Promise<void>((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('error', () => undefined);
    const connack = this.expect('connack');
    this.socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: true, keepalive: 120 }));
    const ack = (await connack) as mqttPacket.IConnackPacket;
    if (ack.returnCode !== 0) throw new Error(`CONNACK ${ack.returnCode}`);
  }

  /** Subscribes at QoS 1 in packets of at most 500 topics; resolves after every SUBACK. */
  async subscribe(topics: string[]): Promise<void> {
    for (let i = 0; i < topics.length; i += 500) {
      const id = this.takeId();
      const suback = this.expect(`suback:${id}`);
      this.socket.write(
        mqttPacket.generate({ cmd: 'subscribe', messageId: id, subscriptions: topics.slice(i, i + 500).map((topic) => ({ topic, qos: 1 as const })) }),
      );
      await suback;
      this.inFlight.delete(id);
    }
  }

  /** Queues one QoS 1 PUBLISH; `flush()` writes everything queued in one syscall. */
  publish(topic: string, payload: string): void {
    const id = this.takeId();
    const t = Buffer.from(topic);
    const p = Buffer.from(payload);
    const remaining = 2 + t.length + 2 + p.length;
    const lenBytes: number[] = [];
    let x = remaining;
    do {
      let b = x % 128;
      x = Math.floor(x / 128);
      if (x > 0) b |= 0x80;
      lenBytes.push(b);
    } while (x > 0);
    const buf = Buffer.allocUnsafe(1 + lenBytes.length + remaining);
    let o = 0;
    buf[o++] = 0x32; // PUBLISH, QoS 1
    for (const b of lenBytes) buf[o++] = b;
    buf.writeUInt16BE(t.length, o);
    o += 2;
    t.copy(buf, o);
    o += t.length;
    buf.writeUInt16BE(id, o);
    o += 2;
    p.copy(buf, o);
    this.pendingWrites.push(buf);
    this.pendingBytes += buf.length;
    this.published++;
  }

  flush(): void {
    if (this.pendingWrites.length === 0) return;
    this.socket.write(this.pendingWrites.length === 1 ? this.pendingWrites[0]! : Buffer.concat(this.pendingWrites, this.pendingBytes));
    this.pendingWrites = [];
    this.pendingBytes = 0;
  }

  /** True while the kernel socket buffer is not full (the broker is reading). */
  writable(): boolean {
    return this.socket.writableLength < 4 * 1024 * 1024;
  }

  async end(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve) => {
      this.socket.end(Buffer.from([0xe0, 0x00]), () => resolve());
      setTimeout(resolve, 1000).unref();
    });
    this.socket.destroy();
  }

  private takeId(): number {
    // Skip ids still in flight (only possible with > 65k unacknowledged messages).
    for (let i = 0; i < 65535; i++) {
      const id = this.nextId;
      this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
      if (!this.inFlight.has(id)) {
        this.inFlight.add(id);
        return id;
      }
    }
    throw new Error('65535 messages in flight');
  }

  private expect(key: string): Promise<mqttPacket.Packet> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${key} within 15 s`)), 15_000);
      this.waiters.set(key, (p) => {
        clearTimeout(t);
        resolve(p);
      });
    });
  }

  private onPacket(p: mqttPacket.Packet): void {
    switch (p.cmd) {
      case 'puback':
        if (this.inFlight.delete(p.messageId!)) {
          this.acked++;
          this.onAck?.();
        }
        return;
      case 'publish': {
        if (p.qos === 1) {
          const id = p.messageId!;
          this.pendingWrites.push(Buffer.from([0x40, 0x02, id >> 8, id & 0xff]));
          this.pendingBytes += 4;
          // One write for all the acks of one incoming chunk.
          if (!this.flushQueued) {
            this.flushQueued = true;
            queueMicrotask(() => {
              this.flushQueued = false;
              this.flush();
            });
          }
        }
        this.onMessage?.(p.topic, p.payload as Buffer);
        return;
      }
      case 'connack':
        this.waiters.get('connack')?.(p);
        return;
      case 'suback':
        this.waiters.get(`suback:${p.messageId}`)?.(p);
        return;
      default:
        return;
    }
  }
}
