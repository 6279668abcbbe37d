// Start to ready: from spawning a server to its first /readyz 200 (catalog loaded, store open),
// over several cold starts, each real-bot start on a new SQLite file (migrations included).
import { startServer, type ServerSpec } from './children.js';
import { waitForQuiet, type QuietSettings } from './cpu.js';

export interface StartTimes {
  server: string;
  /** Milliseconds, in the order measured. */
  samples: number[];
}

export async function measureStarts(name: string, specFor: (attempt: number) => ServerSpec, starts: number, quiet: QuietSettings): Promise<StartTimes> {
  const samples: number[] = [];
  for (let attempt = 1; attempt <= starts; attempt += 1) {
    await waitForQuiet([process.pid], quiet);
    const server = await startServer(specFor(attempt));
    samples.push(server.startToReadyMs);
    await server.stop();
  }
  process.stderr.write(`start to ready, ${name}: ${samples.map((ms) => ms.toFixed(0)).join(', ')} ms\n`);
  return { server: name, samples };
}
