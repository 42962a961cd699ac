// Reporting a payment with JavaScript: conditional fields, a PNG receipt,
// the ticket number, the status link, and what the server stored.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeOnPage } from '../lib/browser.js';
import { useServerAndBrowser } from '../lib/harness.js';
import {
  FORM, PAYMENT_PAGE, RECEIPT_FIXTURE, asFilled, box, control, fileFacts, fillPaymentForm, paymentData, storedReport,
  submitButton,
} from '../lib/payment.js';
import { findTicket, saveReceipt, showTicket } from '../lib/staff.js';

const env = useServerAndBrowser();

test('un reporte de pago con JavaScript recibe su número de ticket y queda guardado tal cual', async (t) => {
  const page = await env.open(PAYMENT_PAGE, {}, { holdClock: true });
  const data = paymentData();

  // Hidden until they apply.
  assert.equal(await page.locator(box('banco_origen')).isVisible(), false, 'el banco de origen debe ocultarse antes de elegir transferencia');
  assert.equal(await page.locator(box('direccion_envio')).isVisible(), false, 'la dirección debe ocultarse antes de marcar la casilla');

  await page.selectOption(control('metodo'), 'deposito');
  assert.equal(await page.locator(box('banco_origen')).isVisible(), false, 'el banco de origen no aplica a un depósito');

  await fillPaymentForm(page, data);

  assert.ok(await page.locator(box('banco_origen')).isVisible(), 'el banco de origen debe aparecer con «transferencia»');
  assert.equal(await page.locator(control('banco_origen')).evaluate((c) => c.required), true, 'el banco de origen debe ser obligatorio con «transferencia»');
  assert.ok(await page.locator(box('direccion_envio')).isVisible(), 'la dirección debe aparecer al marcar la factura en físico');
  assert.equal(await page.locator(control('direccion_envio')).evaluate((c) => c.required), true, 'la dirección debe ser obligatoria con la casilla marcada');

  // Not within the 3-second time trap: this is a person.
  await setTimeOnPage(page, 3_500);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/reportes-de-pago') && r.request().method() === 'POST'),
    submitButton(page).click(),
  ]);
  assert.equal(response.status(), 201, `la API respondió ${response.status()}: ${await response.text()}`);
  const answer = await response.json();

  const result = page.locator(`${FORM} .formulario-resultado`);
  await result.waitFor({ state: 'visible' });
  const number = (await result.locator('.numero-ticket').innerText()).trim();
  assert.match(number, /^\d+$/);
  assert.equal(Number(number), answer.numero);
  assert.match(await result.innerText(), new RegExp(`Su número de ticket es ${number}`));
  const href = await result.locator('a.enlace-estado').getAttribute('href');
  assert.match(href, new RegExp(`^/consultar-ticket/\\?numero=${number}&clave=[0-9a-f]+$`), `enlace de estado inesperado: ${href}`);
  assert.equal(await submitButton(page).isVisible(), false, 'tras el envío, el botón debe ocultarse');

  await t.test('el enlace de estado muestra «Abierto»', async () => {
    await page.locator(`${FORM} a.enlace-estado`).click();
    await page.waitForURL(/\/consultar-ticket\/\?numero=/);
    const status = page.locator('#resultado-ticket');
    await status.getByText('Abierto', { exact: true }).waitFor();
    assert.match(await status.innerText(), new RegExp(`Ticket ${number}`));
    assert.equal(await page.locator('#numero').inputValue(), number);
  });

  await t.test('ayuda-staff devuelve lo que el navegador envió, comprobante idéntico', async () => {
    const stored = await showTicket(env.server.dataDir, number);
    assert.equal(stored.numero, Number(number));
    assert.equal(stored.formulario, 'reporte-de-pago');
    assert.equal(stored.estado, 'Abierto');
    assert.equal(stored.spam, null, `el envío quedó como spam (${stored.spam}): ¿menos de 3 s o la trampa?`);
    // The store has no invoice flag: the printed invoice asked for is kept as its shipping address.
    assert.equal(data.factura_fisica, true);
    assert.equal(stored.detalles.direccion_envio, data.direccion_envio, 'la factura en físico pedida no quedó guardada');
    // Every field as filled in, nothing else, and the PNG's size and hash.
    assert.deepEqual(asFilled(stored), storedReport(data));

    const dir = await mkdtemp(path.join(os.tmpdir(), 'ayuda-comprobante-'));
    try {
      const out = path.join(dir, 'comprobante.png');
      await saveReceipt(env.server.dataDir, number, out);
      assert.ok((await readFile(out)).equals(fileFacts(RECEIPT_FIXTURE).bytes), 'el comprobante guardado no es idéntico al adjuntado');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.equal(await findTicket(env.server.dataDir, Number(number) + 1), null, 'solo debía guardarse un ticket');
  });

  assert.deepEqual(page.problems, []);
});
