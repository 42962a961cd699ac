// Reporting a payment with JavaScript disabled: the plain POST, the
// confirmation page the API renders, and what the server stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { formatViolations } from '../lib/axe.js';
import { saveFunctionPage } from '../lib/function-pages.js';
import { useServerAndBrowser } from '../lib/harness.js';
import {
  PAYMENT_PAGE, asFilled, box, control, fillPaymentForm, paymentData, storedReport, submitButton,
} from '../lib/payment.js';
import { findTicket, showTicket } from '../lib/staff.js';

const env = useServerAndBrowser();
const NO_JS = { javaScriptEnabled: false };

test('sin JavaScript, el envío normal lleva a la página de confirmación con el número', async (t) => {
  const page = await env.open(PAYMENT_PAGE, NO_JS);
  const data = paymentData({ metodo: 'transferencia' });
  // Without the script every field is there and conditional ones are optional for the browser.
  assert.ok(await page.locator(box('banco_origen')).isVisible(), 'sin JS, el banco de origen debe verse');
  assert.ok(await page.locator(box('direccion_envio')).isVisible(), 'sin JS, la dirección debe verse');
  await fillPaymentForm(page, data);

  const [post, confirmation] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/reportes-de-pago') && r.request().method() === 'POST'),
    page.waitForResponse((r) => /\/api\/tickets\/\d+\?clave=[0-9a-f]+&recibido=1$/.test(r.url())),
    submitButton(page).click(),
  ]);
  assert.equal(post.status(), 303, `el POST sin JS debía responder 303; respondió ${post.status()}`);
  const location = post.headers().location ?? '';
  assert.match(location, /tickets\/\d+\?clave=[0-9a-f]+&recibido=1$/, `Location inesperado: ${location}`);
  assert.equal(confirmation.status(), 200);
  await saveFunctionPage('confirmacion-sin-js', confirmation);

  await page.waitForURL(/\/api\/tickets\/\d+\?clave=[0-9a-f]+&recibido=1$/);
  const number = /\/api\/tickets\/(\d+)\?/.exec(page.url())[1];
  const strong = page.locator('strong', { hasText: new RegExp(`^${number}$`) });
  assert.ok(await strong.isVisible(), 'la página no muestra el número en <strong>');
  assert.match(await page.locator('main').innerText(), new RegExp(`Su número de ticket es ${number}`));
  assert.equal((await page.locator('dd.estado').innerText()).trim(), 'Abierto');

  await t.test('la página de confirmación pasa axe sin infracciones', async () => {
    // axe needs JavaScript: the same page, opened in a context that has it.
    const withJs = await env.open(new URL(page.url()).pathname + new URL(page.url()).search);
    const results = await new AxeBuilder({ page: withJs }).analyze();
    assert.equal(results.violations.length, 0, formatViolations(page.url(), results.violations));
  });

  await t.test('sin JavaScript, «Consultar ticket» con el número y la clave muestra «Abierto»', async () => {
    const key = new URL(page.url()).searchParams.get('clave');
    const lookup = await env.open('/consultar-ticket/', NO_JS);
    await lookup.getByLabel('Número de ticket').fill(number);
    await lookup.getByLabel('Clave de acceso').fill(key);
    const [status] = await Promise.all([
      lookup.waitForResponse((r) => r.url().endsWith(`/api/tickets/${number}?clave=${key}`)),
      lookup.getByRole('button', { name: 'Consultar' }).click(),
    ]);
    assert.equal(status.status(), 200);
    await saveFunctionPage('estado-del-ticket', status);
    await lookup.waitForURL(new RegExp(`/api/tickets/${number}\\?clave=${key}$`));
    assert.equal(await lookup.locator('h1').innerText(), `Ticket ${number}`);
    assert.equal((await lookup.locator('dd.estado').innerText()).trim(), 'Abierto');
  });

  await t.test('ayuda-staff devuelve lo enviado sin JavaScript', async () => {
    const stored = await showTicket(env.server.dataDir, number);
    assert.equal(stored.formulario, 'reporte-de-pago');
    assert.equal(stored.estado, 'Abierto');
    assert.equal(stored.spam, null, `un envío sin JS no es spam (quedó ${stored.spam})`);
    // The printed invoice asked for is kept as its shipping address (the store has no flag for it).
    assert.equal(stored.detalles.direccion_envio, data.direccion_envio, 'la factura en físico pedida no quedó guardada');
    assert.deepEqual(asFilled(stored), storedReport(data));
  });
  assert.deepEqual(page.problems, []);
});

test('sin JavaScript, un monto sobre el máximo recibe los errores del servidor en español y no se guarda', async () => {
  const page = await env.open(PAYMENT_PAGE, NO_JS);
  const before = await findTicket(env.server.dataDir, 2);
  assert.equal(before, null);
  // Passes the HTML pattern (the browser lets it through), but is over 100.000.000,00.
  await fillPaymentForm(page, paymentData({ monto: '999.999.999,99', comprobante: undefined }));
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/reportes-de-pago') && r.request().method() === 'POST'),
    submitButton(page).click(),
  ]);
  assert.equal(post.status(), 422);
  await saveFunctionPage('errores-422', post);
  await page.waitForLoadState();
  assert.equal(await page.locator('h1').innerText(), 'Revise los datos del formulario');
  const errors = await page.locator('.errores').innerText();
  assert.match(errors, /Monto/, `la lista de errores no nombra el campo «Monto»: ${errors}`);
  assert.ok(await page.getByRole('link', { name: 'vuelva a la página del formulario' }).isVisible());
  assert.equal(await findTicket(env.server.dataDir, 2), null, 'un envío rechazado no debe guardarse');
  // axe needs JavaScript: the answer's HTML, loaded into a page that has it.
  const html = await page.content();
  const withJs = await env.open();
  await withJs.setContent(html);
  const results = await new AxeBuilder({ page: withJs }).analyze();
  assert.equal(results.violations.length, 0, formatViolations('página de errores del servidor (422)', results.violations));
});

test('sin JavaScript, una dirección escrita sin marcar la factura en físico no se guarda', async () => {
  const page = await env.open(PAYMENT_PAGE, NO_JS);
  // Without the script the address box is visible whether or not the box is ticked.
  const data = paymentData({ factura_fisica: false, comprobante: undefined });
  await fillPaymentForm(page, data);
  assert.equal(await page.locator(control('factura_fisica')).isChecked(), false);
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/reportes-de-pago') && r.request().method() === 'POST'),
    submitButton(page).click(),
  ]);
  assert.equal(post.status(), 303, `el POST sin JS debía responder 303; respondió ${post.status()}`);
  const location = post.headers().location ?? '';
  const number = /tickets\/(\d+)\?clave=/.exec(location)?.[1];
  assert.ok(number, `Location inesperado: ${location}`);
  const stored = await showTicket(env.server.dataDir, number);
  assert.equal(stored.detalles.direccion_envio, null, 'sin la casilla no se pidió la factura: la dirección no debía guardarse');
  assert.deepEqual(asFilled(stored), storedReport(data));
});
