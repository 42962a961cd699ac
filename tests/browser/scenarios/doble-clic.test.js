// A double click on «Enviar reporte de pago» makes one ticket, not two.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestsReported, setTimeOnPage } from '../lib/browser.js';
import { useServerAndBrowser } from '../lib/harness.js';
import { FORM, PAYMENT_PAGE, fillPaymentForm, paymentData, submitButton } from '../lib/payment.js';
import { findTicket, showTicket } from '../lib/staff.js';

const env = useServerAndBrowser();

test('un doble clic en el botón de envío crea un solo ticket', async () => {
  const page = await env.open(PAYMENT_PAGE, {}, { holdClock: true });
  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/reportes-de-pago')) posts.push(r); });
  await fillPaymentForm(page, paymentData());
  await setTimeOnPage(page, 3_500);

  await submitButton(page).dblclick();
  const result = page.locator(`${FORM} .formulario-resultado`);
  await result.waitFor({ state: 'visible' });
  assert.equal((await result.locator('.numero-ticket').innerText()).trim(), '1');
  await requestsReported(page); // a second post, made by the second click, would be counted by now

  assert.equal(posts.length, 1, `el doble clic envió ${posts.length} peticiones; el script debía enviar una`);
  const first = await showTicket(env.server.dataDir, 1);
  assert.equal(first.formulario, 'reporte-de-pago');
  assert.equal(first.spam, null);
  assert.equal(await findTicket(env.server.dataDir, 2), null, 'el doble clic creó un segundo ticket');
  assert.deepEqual(page.problems, []);
});

test('si la respuesta se pierde y se reenvía, no se crea un ticket duplicado', async () => {
  const page = await env.open(PAYMENT_PAGE, {}, { holdClock: true });
  let attempts = 0;
  let firstAnswer = '';
  // The first POST reaches the server and is stored, but its answer never arrives.
  await page.route('**/api/reportes-de-pago', async (route) => {
    attempts += 1;
    if (attempts === 1) {
      const lost = await route.fetch();
      firstAnswer = `${lost.status()} ${await lost.text()}`;
      await route.abort('connectionreset');
    } else {
      await route.continue();
    }
  });
  // No receipt here: an intercepted request loses its file bytes in Playwright (route.fetch sends it empty).
  await fillPaymentForm(page, paymentData({
    referencia: 'DEP-7781-0001', metodo: 'deposito', banco_origen: undefined, comprobante: undefined,
  }));
  await setTimeOnPage(page, 3_500);

  await submitButton(page).click();
  const result = page.locator(`${FORM} .formulario-resultado`);
  await result.getByText('No hay conexión con el servidor', { exact: false }).waitFor();
  assert.match(await result.innerText(), /no se creará un ticket duplicado/);
  assert.equal(await submitButton(page).isEnabled(), true, 'tras un corte, el botón debe poder usarse de nuevo');
  assert.match(firstAnswer, /^201 /, `el primer envío debía guardarse; el servidor respondió ${firstAnswer}`);
  const stored = await showTicket(env.server.dataDir, 2);
  assert.equal(stored.detalles.referencia, 'DEP-7781-0001', 'el primer envío debía llegar al servidor');

  await submitButton(page).click();
  await result.locator('.numero-ticket').waitFor();
  assert.equal((await result.locator('.numero-ticket').innerText()).trim(), '2', 'el reenvío debía devolver el mismo ticket');
  assert.equal(attempts, 2);
  assert.equal(await findTicket(env.server.dataDir, 3), null, 'el reenvío creó un ticket duplicado');
  assert.deepEqual(page.problems, []);
});
