// Debian's Chromium through playwright-core: never a downloaded browser.
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--lang=es-ES',
];

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 900 };

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    // On Linux Chromium takes its UI language (date fields, «Seleccionar archivo»)
    // from the environment, not from --lang.
    env: { ...process.env, LANGUAGE: 'es_ES:es', LANG: 'es_ES.UTF-8' },
  });
}

/**
 * A page in its own context. `page.problems` collects uncaught script errors
 * and Content-Security-Policy violations, which no page of the site should have.
 */
export async function openPage(browser, contextOptions = {}) {
  const context = await browser.newContext({ locale: 'es-ES', viewport: DESKTOP, ...contextOptions });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`error de script en ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      page.problems.push(`CSP en ${page.url()}: ${message.text()}`);
    }
  });
  return page;
}

/**
 * Pauses the page's clock at 0 (`performance.now()`, timers, `Date` stay
 * put): call before navigating. Time then passes in the page only through
 * `setTimeOnPage`. lib/harness.js does it for `open(path, options, { holdClock: true })`.
 */
export async function holdClock(page) {
  await page.clock.pauseAt(Date.now());
}

/**
 * The fill-time trap under the test's control. The form's script sends as
 * `tiempo_de_llenado` the page's `performance.now()` when the form is sent
 * (time since the page began loading), and the server stores as spam what
 * took less than 3 s. On a page whose clock is held, this moves the page's
 * clock to `ms`: the form then reports exactly `ms`, however long the
 * browser really took to fill it in.
 */
export async function setTimeOnPage(page, ms) {
  const now = await page.evaluate(() => performance.now());
  if (now > ms) throw new Error(`el reloj de la página ya marca ${now} ms (¿se abrió con holdClock?); no puede volver a ${ms} ms`);
  await page.clock.fastForward(ms - now);
}

/**
 * Returns once every request the page started before this call has been
 * reported to the test (`page.on('request')`): the page fetches a marker
 * URL, and Chromium reports a page's requests in the order it starts them.
 * For asserting that a request was not made, instead of waiting a while.
 */
export async function requestsReported(page) {
  const marker = `/robots.txt?marca=${randomUUID()}`;
  await Promise.all([
    page.waitForRequest((request) => request.url().endsWith(marker)),
    page.evaluate((url) => fetch(url).then((response) => response.text()), marker),
  ]);
}
