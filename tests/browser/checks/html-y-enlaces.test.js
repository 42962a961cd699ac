// The generated HTML and the pages the form function rendered during the
// scenarios (lib/function-pages.js) pass the Nu checker, and lychee finds no
// broken link or fragment in the site (offline; the form API's /api/ links
// are served by the function, not the site).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { functionPagesDir } from '../lib/function-pages.js';
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

async function assertValidHtml(dir) {
  assert.ok(existsSync(VNU_JAR), `falta ${VNU_JAR}: ejecute tests/browser/setup.sh`);
  const { code, stdout, stderr } = await run('java', ['-Xss16m', '-XX:TieredStopAtLevel=1', '-jar', VNU_JAR,
    '--errors-only', '--skip-non-html', dir]);
  assert.equal(code, 0, `vnu.jar encontró errores (código ${code}):\n${stderr}${stdout}`);
}

test('el Nu HTML Checker no encuentra errores en el sitio generado', async () => {
  await assertValidHtml(await siteDir());
});

test('el Nu HTML Checker no encuentra errores en las páginas que generó la función', async (t) => {
  const saved = (await readdir(functionPagesDir).catch(() => [])).filter((name) => name.endsWith('.html'));
  assert.ok(saved.length > 0, `no hay páginas de la función en ${functionPagesDir}: las guardan los escenarios (run.sh los corre antes)`);
  t.diagnostic(`páginas de la función: ${saved.join(', ')}`);
  await assertValidHtml(functionPagesDir);
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
