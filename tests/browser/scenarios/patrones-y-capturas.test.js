// Field patterns compile in Chromium with the `v` flag (what HTML uses for
// `pattern`), and screenshots of the payment page for people to look at.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { DESKTOP, PHONE } from '../lib/browser.js';
import { useServerAndBrowser } from '../lib/harness.js';
import { PAYMENT_PAGE, control } from '../lib/payment.js';
import { artifactsDir } from '../lib/paths.js';
import { pagePaths } from '../lib/site.js';

const env = useServerAndBrowser();

test('cada patrón de campo compila en Chromium con la bandera v', async () => {
  const page = await env.open();
  const seen = [];
  for (const path of await pagePaths()) {
    await page.goto(env.url(path));
    const broken = await page.evaluate(() => [...document.querySelectorAll('[pattern], [data-patron]')].flatMap((e) => {
      const pattern = e.getAttribute('pattern') ?? e.getAttribute('data-patron');
      const where = `${e.tagName.toLowerCase()}[name=${e.getAttribute('name')}]`;
      try {
        new RegExp(pattern, 'v');
        new RegExp(`^(?:${pattern})$`, 'v'); // how the browser applies `pattern`
        return [{ where, pattern, error: null }];
      } catch (error) {
        return [{ where, pattern, error: String(error) }];
      }
    }));
    for (const b of broken) seen.push({ path, ...b });
  }
  const fields = new Set(seen.map((s) => s.where));
  // The hidden inputs the script fills in (idempotencia, tiempo_de_llenado)
  // carry no pattern: only the server checks them.
  for (const name of ['ordenes', 'monto', 'referencia', 'banco_origen', 'direccion_envio', 'nombre', 'correo', 'asunto', 'mensaje']) {
    assert.ok([...fields].some((f) => f.endsWith(`[name=${name}]`)), `no se encontró el patrón del campo «${name}»`);
  }
  const errors = seen.filter((s) => s.error);
  assert.deepEqual(errors, [], `patrones que no compilan con la bandera v:\n${errors.map((e) => `${e.path} ${e.where}: ${e.pattern} → ${e.error}`).join('\n')}`);
});

test('Chromium aplica los patrones del formulario de pago (no los ignora)', async () => {
  const page = await env.open(PAYMENT_PAGE);
  const cases = [
    ['monto', '1.234,56', false], ['monto', '1234.56', false], ['monto', '12,345', true], ['monto', '1.23,4', true],
    ['ordenes', '10452, 10453', false], ['ordenes', '10452 y 10453', true],
    ['referencia', 'TRF-0042', false], ['referencia', 'TRF 0042', true],
    ['correo', 'nombre@dominio.com', false], ['correo', 'nombre@dominio', true],
  ];
  for (const [name, value, mismatch] of cases) {
    await page.fill(control(name), value);
    const actual = await page.locator(control(name)).evaluate((c) => c.validity.patternMismatch);
    assert.equal(actual, mismatch, `«${value}» en ${name}: patternMismatch=${actual}, se esperaba ${mismatch}`);
  }
});

test('capturas del formulario de pago en escritorio (1280) y en teléfono (360)', async (t) => {
  await mkdir(artifactsDir, { recursive: true });
  for (const [name, viewport, options] of [
    ['reporte-de-pago-escritorio.png', DESKTOP, {}],
    ['reporte-de-pago-telefono.png', PHONE, { isMobile: true, hasTouch: true }],
  ]) {
    const page = await env.open(PAYMENT_PAGE, { viewport, ...options });
    await page.selectOption(control('metodo'), 'transferencia');
    await page.check(control('factura_fisica'));
    const file = path.join(artifactsDir, name);
    await page.screenshot({ path: file, fullPage: true });
    const png = await readFile(file);
    assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${name} no es PNG`);
    assert.equal(png.readUInt32BE(16), viewport.width * (options.deviceScaleFactor ?? 1), `${name}: ancho inesperado`);
    t.diagnostic(`${path.relative(process.cwd(), file)}: ${png.length} bytes, alto ${png.readUInt32BE(20)} px`);
  }
});
