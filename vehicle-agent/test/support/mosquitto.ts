import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOSQUITTO_BIN } from '@lifeline/testing';
import { freePort } from '../../../server/src/adapters/freePort.ts';
import { killChild, tcpOpen } from '../../../server/test/helpers.ts';

/** The mosquitto binary; suites skip (or fail in CI) through `noMosquitto()` when it is absent. */
export const MOSQUITTO = MOSQUITTO_BIN ?? 'mosquitto';

/**
 * A private Mosquitto on a fixed port that a test can stop and start again (no persistence: a
 * restart loses sessions and retained messages, like a broker that crashed).
 */
export class Mosquitto {
  private proc: ChildProcess | null = null;
  private dir = '';
  port = 0;
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.dir) {
      this.dir = await mkdtemp(join(tmpdir(), 'mosquitto-'));
      this.port = await freePort();
      await writeFile(join(this.dir, 'mosquitto.conf'), `listener ${this.port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n${process.env.MOSQ_LOG ? `log_dest file ${process.env.MOSQ_LOG}\nlog_type all\n` : ""}`);
    }
    this.proc = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await tcpOpen('127.0.0.1', this.port))) {
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${this.port}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    await killChild(p);
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
