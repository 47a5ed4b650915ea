/**
 * Follows the MQTT framing of an inbound byte stream (fixed header: type byte, then the remaining
 * length as a 1–4 byte varint) without buffering, so a broker can drop a connection as soon as a
 * packet header announces more than `maxBytes` — before the body is read into memory. aedes has no
 * packet size limit of its own (Mosquitto's is `max_packet_size`).
 */
export class PacketSizeGuard {
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private lengthBytes = 0;
  private multiplier = 1;
  private left = 0;

  constructor(readonly maxBytes: number) {}

  /** Feeds the next chunk; false once a packet is larger than `maxBytes` or its length is malformed. */
  feed(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const n = Math.min(this.left, chunk.length - i);
        this.left -= n;
        i += n;
        if (this.left === 0) this.state = 'type';
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === 'type') {
        this.state = 'length';
        this.length = 0;
        this.lengthBytes = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (byte & 0x80) {
        if (this.lengthBytes === 4) return false; // a fifth length byte: not MQTT
        continue;
      }
      if (1 + this.lengthBytes + this.length > this.maxBytes) return false;
      this.left = this.length;
      this.state = this.left === 0 ? 'type' : 'body';
    }
    return true;
  }
}
