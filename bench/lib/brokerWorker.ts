/** The embedded broker (the server's own aedes setup) alone in a process: the raw pub/sub baseline. */
import { startEmbeddedBroker, type EmbeddedBroker } from '../../server/src/adapters/mqtt/broker.ts';
import { serve } from './child.ts';

let broker: EmbeddedBroker | null = null;
let cpu0 = process.cpuUsage();
let t0 = performance.now();

serve(
  {
    start: async () => {
      broker = await startEmbeddedBroker(0, '127.0.0.1', { auth: null });
      return { url: broker.url };
    },
    cpuStart: () => {
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      return true;
    },
    cpuStop: () => {
      const c = process.cpuUsage(cpu0);
      return { cpuPct: ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100 };
    },
  },
  async () => {
    await broker?.close();
  },
);
