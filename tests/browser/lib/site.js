// The built site: the folder run.sh built (SITE_DIR), or one built here.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bin, repoRoot } from './paths.js';

const run = promisify(execFile);

let built;

/** The folder with the generated site: $SITE_DIR, else `site-gen build` into a temp dir once. */
export function siteDir() {
  if (process.env.SITE_DIR) return Promise.resolve(process.env.SITE_DIR);
  built ??= (async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'ayuda-sitio-'));
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    await run(bin('site-gen'), ['--root', repoRoot, 'build', '--out', out]);
    return out;
  })();
  return built;
}

/** Every HTML page of the built site as a URL path: `index.html` → `/`, `a/index.html` → `/a/`. */
export async function pagePaths() {
  const dir = await siteDir();
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.html'))
    .map((e) => {
      const rel = path.relative(dir, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/');
      return '/' + rel.replace(/(^|\/)index\.html$/, '$1');
    })
    .sort();
}
