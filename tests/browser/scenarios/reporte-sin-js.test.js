// Reporting a payment with JavaScript disabled: the plain POST, the
// confirmation page the API renders, and what the server stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { useServerAndBrowser } from '../lib/harness.js';
import {
  PAYMENT_PAGE, RECEIPT_FIXTURE, box, fileFacts, fillPaymentForm, paymentData, submitButton,
} from '../lib/payment.js';
import { findTicket, showTicket } from '../lib/staff.js';
import { formatViolations } from '../lib/axe.js';

const env = useServerAndBrowser();
const NO_JS = { javaScriptEnabled: false };

test('sin JavaScript, el envío normal lleva a la página de confirmación con el número', async (t) => {
  const page = await env.open(PAYMENT_PAGE, NO_JS);
  const data = paymentData({ metodo: 'transferencia' });
  // Without the script every field is there and conditional ones are optional for the browser.
  assert.ok(await page.locator(box('banco_origen')).isVisible(), 'sin JS, el banco de origen debe verse');
  assert.ok(await page.locator(box('direccion_envio')).isVisible(), 'sin JS, la dirección debe verse');
  await fillPaymentForm(page, data);

  const [post] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/reportes-de-pago') && r.request().method() === 'POST'),
    submitButton(page).click(),
  ]);
  assert.equal(post.status(), 303, `el POST sin JS debía responder 303; respondió ${post.status()}`);
  const location = post.headers().location ?? '';
  assert.match(location, /tickets\/\d+\?clave=[0-9a-f]+&recibido=1$/, `Location inesperado: ${location}`);

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
    await lookup.getByRole('button', { name: 'Consultar' }).click();
    await lookup.waitForURL(new RegExp(`/api/tickets/${number}\\?clave=${key}$`));
    assert.equal(await lookup.locator('h1').innerText(), `Ticket ${number}`);
    assert.equal((await lookup.locator('dd.estado').innerText()).trim(), 'Abierto');
  });

  await t.test('ayuda-staff devuelve lo enviado sin JavaScript', async () => {
    const stored = await showTicket(env.server.dataDir, number);
    const receipt = fileFacts(RECEIPT_FIXTURE);
    assert.equal(stored.formulario, 'reporte-de-pago');
    assert.equal(stored.estado, 'Abierto');
    assert.equal(stored.spam, null, `un envío sin JS no es spam (quedó ${stored.spam})`);
    assert.equal(stored.nombre, data.nombre);
    assert.equal(stored.correo, data.correo);
    assert.deepEqual(stored.detalles.ordenes, [10452, 10453]);
    assert.equal(stored.detalles.monto, '1.234,56');
    assert.equal(stored.detalles.banco_destino, data.banco_destino);
    assert.equal(stored.detalles.banco_origen, data.banco_origen);
    assert.equal(stored.detalles.direccion_envio, data.direccion_envio);
    assert.equal(stored.detalles.fecha, data.fecha);
    assert.equal(stored.comprobante?.bytes, receipt.size);
    assert.equal(stored.comprobante.sha256, receipt.sha256);
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
