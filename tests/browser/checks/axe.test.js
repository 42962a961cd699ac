// axe-core on every page of the built site, as the server serves it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { formatViolations } from '../lib/axe.js';
import { PHONE } from '../lib/browser.js';
import { useServerAndBrowser } from '../lib/harness.js';
import { pagePaths } from '../lib/site.js';

const env = useServerAndBrowser();
const paths = await pagePaths();

for (const [label, options] of [['escritorio', {}], ['teléfono 360 px', { viewport: PHONE, isMobile: true }]]) {
  test(`axe no encuentra infracciones en ninguna página (${label})`, async (t) => {
    assert.ok(paths.length >= 12, `muy pocas páginas en el sitio generado: ${paths.join(', ')}`);
    const page = await env.open(undefined, options);
    const failures = [];
    for (const path of paths) {
      await t.test(path, async () => {
        const response = await page.goto(env.url(path));
        assert.ok(response.ok() || path === '/404.html', `${path} respondió ${response.status()}`);
        const results = await new AxeBuilder({ page }).analyze();
        if (results.violations.length) failures.push(formatViolations(path, results.violations));
        assert.equal(results.violations.length, 0, formatViolations(path, results.violations));
      });
    }
    if (failures.length) t.diagnostic(failures.join('\n'));
  });
}
