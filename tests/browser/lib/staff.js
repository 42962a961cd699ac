// Reads stored tickets back with the staff CLI (`ayuda-staff`), on the same
// data directory as the server under test.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bin } from './paths.js';

const run = (command, args) => promisify(execFile)(command, args, { env: { ...process.env, RUST_BACKTRACE: '0' } });

/** `ayuda-staff --data-dir DIR show N --json`, parsed; throws when it fails. */
export async function showTicket(dataDir, number) {
  const { stdout } = await run(bin('ayuda-staff'), ['--data-dir', dataDir, 'show', String(number), '--json']);
  return JSON.parse(stdout);
}

/** Like showTicket, but null when the CLI says the ticket does not exist («no existe el ticket N»). */
export async function findTicket(dataDir, number) {
  try {
    return await showTicket(dataDir, number);
  } catch (error) {
    if (/no existe el ticket/.test(error.stderr ?? '')) return null;
    throw error;
  }
}

/** `ayuda-staff --data-dir DIR receipt N --salida FILE`. */
export async function saveReceipt(dataDir, number, file) {
  await run(bin('ayuda-staff'), ['--data-dir', dataDir, 'receipt', String(number), '--salida', file]);
}
