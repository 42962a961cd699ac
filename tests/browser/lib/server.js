// Starts `site-gen serve` (site + form API on one origin, local SQLite store)
// on a free port with a fresh data directory, and stops it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bin, repoRoot } from './paths.js';

const READY = /Sirviendo en (http:\/\/127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = 60_000;

// Servers still running when this process ends (a timeout, Ctrl-C) are killed with it.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.kill(process.pid, signal);
  });
}

/**
 * @returns {Promise<{url: string, dataDir: string, output: () => string, stop: () => Promise<void>}>}
 */
export async function startServer({ keepData = false } = {}) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ayuda-datos-'));
  const child = spawn(
    bin('site-gen'),
    ['--root', repoRoot, 'serve', '--port', '0', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  running.add(child);
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    running.delete(child);
    resolve({ code, signal });
  }));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`site-gen serve no dijo «Sirviendo en …» en ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk;
      const found = READY.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`no se pudo ejecutar ${bin('site-gen')}: ${error.message} (¿corrió run.sh/cargo build?)`));
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`site-gen serve terminó antes de servir (código ${code}, señal ${signal}):\n${output}`));
    });
  });

  let stopped = false;
  return {
    url,
    dataDir,
    output: () => output,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
