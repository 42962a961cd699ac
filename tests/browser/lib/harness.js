// One server (fresh data dir) and one Chromium per test file.
import { after, before } from 'node:test';
import { holdClock, launchBrowser, openPage } from './browser.js';
import { startServer } from './server.js';

/**
 * Registers before/after hooks in the calling test file and returns an
 * object whose `server` and `browser` are set once the hooks have run.
 * `open(path, contextOptions, { holdClock })` opens a new page at a path of
 * the server (with its clock paused at 0 when `holdClock`: see
 * lib/browser.js) and closes its context when the file ends.
 */
export function useServerAndBrowser() {
  const env = { server: null, browser: null };
  const contexts = [];
  before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await env.browser?.close().catch(() => {});
    await env.server?.stop();
  });
  env.url = (path) => new URL(path, env.server.url).href;
  env.open = async (path, contextOptions = {}, { holdClock: held = false } = {}) => {
    const page = await openPage(env.browser, contextOptions);
    contexts.push(page.context());
    if (held) await holdClock(page);
    if (path !== undefined) {
      const response = await page.goto(env.url(path));
      if (!response || !response.ok()) {
        throw new Error(`GET ${path} respondió ${response?.status()}`);
      }
    }
    return page;
  };
  return env;
}
