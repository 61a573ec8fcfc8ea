import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

/** A port the kernel says is free on the loopback interface. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

const waitUntilUp = async (endpoint: string, moto: ChildProcess, log: () => string): Promise<void> => {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (moto.exitCode !== null) throw new Error(`moto server exited with ${moto.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto server did not answer at ${endpoint} within 30 s:\n${log()}`);
};

/**
 * Starts moto in server mode on 127.0.0.1 on a free port for the integration tests and
 * stops it after them. The virtualenv comes from scripts/setup-python-tools.sh.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bin = join(process.cwd(), '.tools/venv/bin/moto_server');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run bash scripts/setup-python-tools.sh`);
  const port = await freePort();
  let output = '';
  const moto = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  moto.stdout?.on('data', (d) => {
    output = (output + d).slice(-4000);
  });
  moto.stderr?.on('data', (d) => {
    output = (output + d).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, moto, () => output);
  project.provide('motoEndpoint', endpoint);
  return async () => {
    moto.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      if (moto.exitCode !== null) return resolve();
      const t = setTimeout(() => {
        moto.kill('SIGKILL');
        resolve();
      }, 5000);
      moto.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  };
}
