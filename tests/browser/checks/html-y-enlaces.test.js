// The generated HTML passes the Nu checker, and lychee finds no broken
// link or fragment (offline; the form API's /api/ links are served by the
// function, not the site).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { browserDir, repoRoot } from '../lib/paths.js';
import { siteDir } from '../lib/site.js';

const VNU_JAR = path.join(browserDir, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
const LYCHEE = path.join(repoRoot, '.venv-lychee', 'bin', 'lychee');

function run(command, args) {
  return new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : error.message) : 0, stdout, stderr });
    });
  });
}

test('el Nu HTML Checker no encuentra errores en el sitio generado', async () => {
  assert.ok(existsSync(VNU_JAR), `falta ${VNU_JAR}: ejecute tests/browser/setup.sh`);
  const dir = await siteDir();
  const { code, stdout, stderr } = await run('java', ['-Xss16m', '-XX:TieredStopAtLevel=1', '-jar', VNU_JAR,
    '--errors-only', '--skip-non-html', dir]);
  assert.equal(code, 0, `vnu.jar encontró errores (código ${code}):\n${stderr}${stdout}`);
});

test('lychee no encuentra enlaces ni fragmentos rotos en el sitio generado', async () => {
  assert.ok(existsSync(LYCHEE), `falta ${LYCHEE}: ejecute tests/browser/setup.sh`);
  const dir = await siteDir();
  // --index-files index.html: a link to /a/#x is checked against a/index.html
  // (without it lychee 0.24.2 reports every fragment on a directory link as missing).
  const { code, stdout, stderr } = await run(LYCHEE, ['--offline', '--include-fragments', '--index-files', 'index.html',
    '--no-progress', '--root-dir', dir, '--exclude', '/api/', dir]);
  assert.equal(code, 0, `lychee encontró enlaces rotos (código ${code}):\n${stdout}${stderr}`);
});
