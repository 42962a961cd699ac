// axe-core on every page of the built site, as the server serves it, and on
// every page no script error, console error or Content-Security-Policy
// violation.
//
// The policy under test is the one `site-gen serve` sends with every page
// (CONTENT_SECURITY_POLICY in site-gen/src/serve.rs), `default-src 'self'`,
// the same the scenarios run under. Each response is checked to carry it,
// so a server that stopped sending it fails here instead of making the CSP
// check vacuous, and a first test makes sure a violation under it is caught.
// The published site's policy (infra/template.yaml) also allows the API's
// origin and data: images, and limits form-action and framing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { formatViolations } from '../lib/axe.js';
import { PHONE } from '../lib/browser.js';
import { useServerAndBrowser } from '../lib/harness.js';
import { pagePaths } from '../lib/site.js';

const SERVE_CSP = "default-src 'self'";

const env = useServerAndBrowser();
const paths = await pagePaths();

test('bajo la política del servidor, un script en línea se bloquea y queda registrado', async () => {
  const page = await env.open('/');
  const [message] = await Promise.all([
    page.waitForEvent('console', (m) => m.type() === 'error'),
    page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.scriptEnLinea = true;';
      document.head.append(script);
    }),
  ]);
  assert.equal(await page.evaluate(() => window.scriptEnLinea), undefined, 'el script en línea no debía ejecutarse');
  assert.match(message.text(), /default-src 'self'/);
  // What the page-wide checks below look at: lib/browser.js files it as a CSP problem.
  assert.deepEqual(page.problems, [`CSP en ${page.url()}: ${message.text()}`]);
});

for (const [label, options] of [['escritorio', {}], ['teléfono 360 px', { viewport: PHONE, isMobile: true }]]) {
  test(`axe no encuentra infracciones ni hay errores en la consola en ninguna página (${label})`, async (t) => {
    assert.ok(paths.length >= 12, `muy pocas páginas en el sitio generado: ${paths.join(', ')}`);
    const page = await env.open(undefined, options);
    const consoleErrors = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const failures = [];
    for (const path of paths) {
      await t.test(path, async () => {
        page.problems.length = 0;
        consoleErrors.length = 0;
        const response = await page.goto(env.url(path));
        assert.ok(response.ok() || path === '/404.html', `${path} respondió ${response.status()}`);
        assert.equal(response.headers()['content-security-policy'], SERVE_CSP, `${path} se sirvió sin la política de site-gen serve`);
        const results = await new AxeBuilder({ page }).analyze();
        if (results.violations.length) failures.push(formatViolations(path, results.violations));
        assert.equal(results.violations.length, 0, formatViolations(path, results.violations));
        assert.deepEqual(page.problems, [], `${path}: errores de script o infracciones de CSP`);
        assert.deepEqual(consoleErrors, [], `${path}: errores en la consola`);
      });
    }
    if (failures.length) t.diagnostic(failures.join('\n'));
  });
}
