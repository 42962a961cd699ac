// Invalid submissions with JavaScript: Spanish messages beside the fields,
// focus on the first one to fix, and nothing sent or stored.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { formatViolations } from '../lib/axe.js';
import { requestsReported } from '../lib/browser.js';
import { useServerAndBrowser } from '../lib/harness.js';
import { FORM, PAYMENT_PAGE, control, fillPaymentForm, paymentData, submitButton } from '../lib/payment.js';
import { findTicket } from '../lib/staff.js';

const env = useServerAndBrowser();

/** Counts the form posts a page makes. */
function countPosts(page) {
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/api/')) posts.push(r.url()); });
  return posts;
}

async function errorOf(page, name) {
  const box = page.locator(`${control(name)}-error`);
  return { visible: await box.isVisible(), text: (await box.textContent()).trim() };
}

async function assertNothingStored() {
  assert.equal(await findTicket(env.server.dataDir, 1), null, 'un envío inválido no debe guardar ningún ticket');
  const receipts = await readdir(path.join(env.server.dataDir, 'comprobantes')).catch(() => []);
  assert.deepEqual(receipts, [], 'un envío inválido no debe guardar comprobantes');
}

const MISSING = {
  ordenes: 'Indique el número de orden del servicio que pagó.',
  moneda: 'Elija la moneda del pago.',
  metodo: 'Elija el método de pago.',
  banco_destino: 'Elija el banco en el que hizo el pago.',
  fecha: 'Indique la fecha del pago.',
  referencia: 'Indique el número del depósito o de la transferencia.',
  nombre: 'Indique su nombre y apellido.',
  correo: 'Indique su correo electrónico.',
};
const BAD_AMOUNT = 'Escriba el monto con números, por ejemplo 1.234,56.';

test('un formulario vacío con el monto «12,345» muestra los errores junto a cada campo y enfoca el primero', async () => {
  const page = await env.open(PAYMENT_PAGE);
  const posts = countPosts(page);
  await page.fill(control('monto'), '12,345');
  await submitButton(page).click();

  await page.locator(`${control('ordenes')}-error`).waitFor({ state: 'visible' });
  for (const [name, message] of Object.entries(MISSING)) {
    const error = await errorOf(page, name);
    assert.ok(error.visible, `falta el error junto a «${name}»`);
    assert.equal(error.text, message, `mensaje de «${name}»`);
    assert.equal(await page.locator(control(name)).getAttribute('aria-invalid'), 'true', `«${name}» sin aria-invalid`);
    // The script made the message box and tied it to the control.
    const described = (await page.locator(control(name)).getAttribute('aria-describedby')).split(' ');
    assert.ok(described.includes(`${control(name).slice(1)}-error`), `«${name}»: aria-describedby=${described.join(' ')}`);
  }
  assert.deepEqual(await errorOf(page, 'monto'), { visible: true, text: BAD_AMOUNT });
  // Conditional fields that do not apply are not complained about.
  for (const name of ['banco_origen', 'direccion_envio', 'comprobante']) {
    assert.equal((await errorOf(page, name)).visible, false, `«${name}» no aplica y no debe mostrar error`);
  }
  const focused = await page.evaluate(() => document.activeElement?.id);
  assert.equal(focused, 'pago-ordenes', 'el foco debe ir al primer campo inválido');
  const summary = page.locator(`${FORM} .formulario-resumen`);
  assert.ok(await summary.isVisible());
  assert.equal((await summary.innerText()).trim(), `Hay ${Object.keys(MISSING).length + 1} campos por corregir. Revise los mensajes junto a cada campo.`);

  const results = await new AxeBuilder({ page }).include(FORM).analyze();
  assert.equal(results.violations.length, 0, formatViolations('formulario con errores', results.violations));

  await requestsReported(page);
  assert.deepEqual(posts, [], 'un formulario inválido no debe enviarse');
  await assertNothingStored();
  assert.deepEqual(page.problems, []);
});

test('con todo correcto salvo el monto «12,345», el único error es el del monto y recibe el foco', async () => {
  const page = await env.open(PAYMENT_PAGE);
  const posts = countPosts(page);
  await fillPaymentForm(page, paymentData({ monto: '12,345' }));
  await submitButton(page).click();
  await page.locator(`${control('monto')}-error`).waitFor({ state: 'visible' });
  assert.deepEqual(await errorOf(page, 'monto'), { visible: true, text: BAD_AMOUNT });
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'pago-monto');
  const visibleErrors = await page.locator(`${FORM} .error-campo:visible`).count();
  assert.equal(visibleErrors, 1, 'solo el monto debía marcarse');
  assert.equal((await page.locator(`${FORM} .formulario-resumen`).innerText()).trim(),
    'Hay 1 campo por corregir. Revise el mensaje junto al campo.');

  // Correcting it clears the message as soon as the field changes.
  await page.fill(control('monto'), '1.234,56');
  await page.locator(control('monto')).blur();
  await page.locator(`${control('monto')}-error`).waitFor({ state: 'hidden' });
  assert.equal(await page.locator(control('monto')).getAttribute('aria-invalid'), null);

  await requestsReported(page);
  assert.deepEqual(posts, [], 'un formulario inválido no debe enviarse');
  await assertNothingStored();
  assert.deepEqual(page.problems, []);
});
