// The ticket form, and the 3-second time trap seen from the browser. Both
// pages hold their clock (lib/browser.js): the fill time the form reports is
// set by the test, not raced against the machine's load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeOnPage } from '../lib/browser.js';
import { useServerAndBrowser } from '../lib/harness.js';
import { showTicket } from '../lib/staff.js';

const env = useServerAndBrowser();
const PAGE = '/como-abrir-un-ticket/';
const FORM = 'form[data-formulario="ticket"]';

async function fillTicket(page) {
  await page.fill('#ticket-nombre', 'José Rafael Gómez');
  await page.fill('#ticket-correo', 'jose.gomez@example.com');
  await page.selectOption('#ticket-departamento', 'soporte-tecnico');
  await page.fill('#ticket-asunto', 'No recibo los correos de facturación');
  await page.fill('#ticket-mensaje', 'Desde el lunes no me llegan las facturas al correo registrado.\nYa revisé la carpeta de spam.');
}

/** Sends the form; returns the ticket number shown and the fill time the form sent. */
async function submit(page) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/tickets') && r.request().method() === 'POST'),
    page.locator(`${FORM} button[type=submit]`).click(),
  ]);
  assert.equal(response.status(), 201, `la API respondió ${response.status()}: ${await response.text()}`);
  const fillTime = /name="tiempo_de_llenado"\r\n\r\n(\d+)\r\n/.exec(response.request().postData() ?? '')?.[1];
  const result = page.locator(`${FORM} .formulario-resultado`);
  await result.waitFor({ state: 'visible' });
  return { number: (await result.locator('.numero-ticket').innerText()).trim(), fillTime };
}

test('abrir un ticket con JavaScript da su número y el personal lo lee completo', async () => {
  const page = await env.open(PAGE, {}, { holdClock: true });
  await fillTicket(page);
  await setTimeOnPage(page, 3_500);
  const { number, fillTime } = await submit(page);
  assert.equal(fillTime, '3500', 'el formulario debía enviar el tiempo del reloj de la página');
  const stored = await showTicket(env.server.dataDir, number);
  assert.equal(stored.formulario, 'ticket');
  assert.equal(stored.estado, 'Abierto');
  assert.equal(stored.spam, null);
  assert.equal(stored.nombre, 'José Rafael Gómez');
  assert.equal(stored.detalles.departamento, 'soporte-tecnico');
  assert.equal(stored.detalles.asunto, 'No recibo los correos de facturación');
  assert.equal(stored.detalles.mensaje, 'Desde el lunes no me llegan las facturas al correo registrado.\nYa revisé la carpeta de spam.');
  assert.equal(stored.comprobante, null);
  assert.deepEqual(page.problems, []);
});

test('un envío hecho menos de 3 s después de abrir la página se responde igual pero queda como spam', async () => {
  const page = await env.open(PAGE, {}, { holdClock: true });
  await fillTicket(page);
  await setTimeOnPage(page, 2_500);
  const { number, fillTime } = await submit(page);
  assert.equal(fillTime, '2500', 'el formulario debía enviar el tiempo del reloj de la página');
  const stored = await showTicket(env.server.dataDir, number);
  assert.equal(stored.spam, 'TooFast', 'un envío en menos de 3 s debía marcarse como spam');
  assert.deepEqual(page.problems, []);
});
