// Reading: the home page and the payment tutorial.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useServerAndBrowser } from '../lib/harness.js';
import { FORM, PAYMENT_PAGE } from '../lib/payment.js';

const env = useServerAndBrowser();

const TUTORIALS = [
  'Cómo hacer un reporte de pago',
  'Cómo registrarse como cliente',
  'Cómo abrir un ticket',
  'Cómo acceder a los correos recibidos desde el área de cliente',
  'Cómo actualizar los datos en el Área de Cliente',
  'Creación de sub-cuentas y contactos adicionales',
];

test('la portada lista los seis tutoriales con enlaces que abren', async () => {
  const page = await env.open('/');
  assert.equal(await page.locator('h1').innerText(), 'Centro de ayuda');
  const links = page.locator('main a', { hasNotText: /^$/ });
  const found = new Map();
  for (const link of await links.all()) {
    found.set((await link.innerText()).trim(), await link.getAttribute('href'));
  }
  // The categories' lists of articles: exactly the six tutorials, each once.
  const listed = await page.locator('main .categorias .tarjeta li a').allInnerTexts();
  assert.deepEqual(listed.map((t) => t.trim()).sort(), [...TUTORIALS].sort(),
    `la portada debía listar exactamente los ${TUTORIALS.length} tutoriales; lista ${listed.length}: ${listed.join(' | ')}`);
  for (const title of TUTORIALS) {
    assert.ok(found.has(title), `la portada no enlaza «${title}»; enlaces: ${[...found.keys()].join(' | ')}`);
    assert.ok(await page.getByRole('link', { name: title, exact: true }).isVisible(), `«${title}» no se ve`);
  }
  // Each tutorial link leads to a page with that title.
  for (const title of TUTORIALS) {
    const response = await page.request.get(env.url(found.get(title)));
    assert.equal(response.status(), 200, `${found.get(title)} respondió ${response.status()}`);
    assert.match(await response.text(), new RegExp(`<h1>${title}</h1>`), `${found.get(title)} no tiene el título «${title}»`);
  }
  assert.deepEqual(page.problems, []);
});

test('el tutorial de pago muestra sus pasos numerados y el formulario', async () => {
  const page = await env.open(PAYMENT_PAGE);
  assert.equal(await page.locator('h1').innerText(), 'Cómo hacer un reporte de pago');
  // The «Pasos» section is an ordered list right after its heading.
  const steps = page.locator('#pasos + ol > li');
  const count = await steps.count();
  assert.ok(count >= 3, `se esperaban pasos numerados tras «Pasos»; hay ${count}`);
  assert.match(await steps.first().innerText(), /Área de Cliente/);
  for (const step of await steps.all()) assert.ok(await step.isVisible());
  // Numbered: the list shows decimal markers.
  const marker = await page.locator('#pasos + ol').evaluate((ol) => getComputedStyle(ol).listStyleType);
  assert.equal(marker, 'decimal', 'los pasos deben mostrarse numerados');

  const form = page.locator(FORM);
  assert.ok(await form.isVisible(), 'el formulario de reporte de pago no se ve');
  assert.equal(await form.getByRole('heading').first().innerText(), 'Formulario de reporte de pago');
  assert.ok(await form.getByRole('button', { name: 'Enviar reporte de pago' }).isVisible());
  for (const label of ['Nro. de orden del servicio', 'Monto', 'Moneda', 'Método de pago', 'Banco destino',
    'Fecha del pago', 'Nro. de depósito o transferencia', 'Comprobante (opcional)', 'Nombre y apellido', 'Correo electrónico']) {
    assert.ok(await form.getByLabel(label).first().isVisible(), `falta el campo «${label}»`);
  }
  assert.deepEqual(page.problems, []);
});
