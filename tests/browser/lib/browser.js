// Debian's Chromium through playwright-core: never a downloaded browser.
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
 * The form's own clock. The server stores as spam what is submitted less
 * than 3 s after the page's script enhanced the form (its `tiempo_de_llenado`),
 * and on a loaded machine the script may run well after navigation started.
 * Call right after opening the page: it waits for the script to have set the
 * form's idempotency key, so the clock starts no earlier than the script's.
 */
export async function formClock(page, formSelector) {
  await page.waitForFunction((selector) => {
    const form = document.querySelector(selector);
    return Boolean(form && form.elements.idempotencia && form.elements.idempotencia.value);
  }, formSelector);
  const start = await page.evaluate(() => performance.now());
  return {
    /** Waits until at least `ms` have passed on the form's clock. */
    async waitAtLeast(ms) {
      const elapsed = (await page.evaluate(() => performance.now())) - start;
      if (elapsed < ms) await page.waitForTimeout(ms - elapsed);
    },
    async elapsed() {
      return (await page.evaluate(() => performance.now())) - start;
    },
  };
}
