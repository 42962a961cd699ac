// Search without a server: the box on the home page and in the header of
// every other page finds each tutorial with or without accents, highlights
// the words, is usable with the keyboard and announced to screen readers,
// passes axe with results on screen, is hidden without JavaScript, and
// loads its code, styles and index only once the box is used.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { formatViolations } from '../lib/axe.js';
import { PHONE } from '../lib/browser.js';
import { useServerAndBrowser } from '../lib/harness.js';

const env = useServerAndBrowser();

const PAGO = '/como-hacer-un-reporte-de-pago/';
const SUBCUENTAS = '/creacion-de-sub-cuentas-y-contactos-adicionales/';
const REGISTRO = '/como-registrarse-como-cliente/';
const CORREOS = '/como-acceder-a-los-correos-recibidos-desde-el-area-de-cliente/';
const TICKET = '/como-abrir-un-ticket/';
const DATOS = '/como-actualizar-los-datos-en-el-area-de-cliente/';

// What a reader types, with and without accents → the tutorial that must come first.
const QUERIES = [
  ['deposito', PAGO],
  ['depósito', PAGO],
  ['factura fisica', PAGO],
  ['subcuenta', SUBCUENTAS],
  ['registrarse', REGISTRO],
  ['correos recibidos', CORREOS],
  ['ticket', TICKET],
  ['actualizar datos', DATOS],
];

// Each of the six tutorials by an accent-less query of its topic.
const TOPICS = [
  ['reporte de pago', PAGO],
  ['abrir un ticket', TICKET],
  ['registro de cliente', REGISTRO],
  ['correos', CORREOS],
  ['cambiar contrasena', DATOS],
  ['contactos adicionales', SUBCUENTAS],
];

const HOME_BOX = '.buscador-inicio form[role=search]';
const HEADER_BOX = '.cabecera form[role=search]';

/** Types `query` into the box of `form` and returns the result items once they answer that query. */
async function search(page, form, query) {
  await page.locator(`${form} input[type=search]`).fill(query);
  const list = page.locator(`${form} .lista-resultados[data-consulta=${JSON.stringify(query)}]`);
  await list.waitFor({ state: 'attached' });
  return list.locator('li.resultado');
}

async function firstResult(items) {
  const link = items.first().locator('a');
  return {
    href: await link.getAttribute('href'),
    title: (await link.innerText()).trim(),
    category: (await items.first().locator('.resultado-categoria').innerText()).trim(),
    marks: await items.first().locator('mark').allInnerTexts(),
  };
}

test('en la portada, cada consulta con y sin acentos pone primero el tutorial esperado', async () => {
  const page = await env.open('/');
  const box = page.getByRole('searchbox', { name: 'Buscar en la ayuda' });
  assert.ok(await box.isVisible(), 'con JavaScript el buscador debe verse en la portada');
  assert.equal(await page.getByRole('search').count(), 1, 'un solo buscador por página');
  const wrong = [];
  for (const [query, expected] of QUERIES) {
    const items = await search(page, HOME_BOX, query);
    assert.ok(await items.count() >= 1, `«${query}»: sin resultados`);
    const first = await firstResult(items);
    if (first.href !== expected) wrong.push(`«${query}»: primero ${first.href}, esperado ${expected}`);
    assert.ok(first.marks.length >= 1, `«${query}»: el primer resultado no resalta ninguna palabra`);
    assert.ok(first.category.length > 0, `«${query}»: el resultado no dice su categoría`);
  }
  assert.deepEqual(wrong, []);
  // «factura fisica»: the words are highlighted in the snippet, accents and all.
  const items = await search(page, HOME_BOX, 'factura fisica');
  const marks = (await items.first().locator('.resultado-extracto mark').allInnerTexts()).map((m) => m.toLowerCase());
  assert.ok(marks.includes('factura') && marks.includes('físico'), `marcas del extracto: ${marks.join(', ')}`);
  assert.equal((await firstResult(items)).category, 'Facturación y pagos');
  // «depósito» is only in the tutorial's body: the result says so, with the accent.
  const deposit = await search(page, HOME_BOX, 'deposito');
  assert.equal((await deposit.first().locator('.resultado-menciona').innerText()).trim(), 'Menciona: depósito');
  assert.deepEqual(page.problems, []);
});

test('desde la cabecera de un artículo, cada tutorial aparece primero buscando su tema sin acentos', async () => {
  const page = await env.open('/consultar-ticket/');
  assert.ok(await page.locator(HEADER_BOX).isVisible(), 'el buscador de la cabecera debe verse');
  const wrong = [];
  for (const [query, expected] of TOPICS) {
    const items = await search(page, HEADER_BOX, query);
    const first = (await items.count()) ? (await firstResult(items)).href : '(nada)';
    if (first !== expected) wrong.push(`«${query}»: primero ${first}, esperado ${expected}`);
  }
  assert.deepEqual(wrong, []);
  assert.deepEqual(page.problems, []);
});

test('el recuento se anuncia en una región viva y una búsqueda sin resultados lo dice', async () => {
  const page = await env.open('/');
  const status = page.locator(`${HOME_BOX} [role=status]`);
  assert.equal(await status.count(), 1);
  await search(page, HOME_BOX, 'deposito');
  await status.getByText(/^\d+ resultados? para «deposito»\.$/).waitFor();
  const none = await search(page, HOME_BOX, 'xilofono');
  assert.equal(await none.count(), 0);
  await status.getByText(/No encontramos artículos para «xilofono»/).waitFor();
});

test('con el teclado: escribir, flechas hacia los resultados, Escape y Enter', async () => {
  const page = await env.open(PAGO);
  const box = page.locator(`${HEADER_BOX} input[type=search]`);
  await box.focus();
  // Letter by letter: the last word is matched as a prefix while typing.
  await page.keyboard.type('subcu', { delay: 20 });
  const list = page.locator(`${HEADER_BOX} .lista-resultados[data-consulta="subcu"]`);
  await list.waitFor({ state: 'attached' });
  assert.equal(await list.locator('li a').first().getAttribute('href'), SUBCUENTAS);
  assert.ok(await list.isVisible(), 'los resultados de la cabecera deben verse');

  await page.keyboard.press('ArrowDown');
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('href') ?? document.activeElement?.id);
  assert.equal(await focused(), SUBCUENTAS, 'Flecha abajo lleva al primer resultado');
  const count = await list.locator('li a').count();
  if (count > 1) {
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), await list.locator('li a').nth(1).getAttribute('href'));
    await page.keyboard.press('ArrowUp');
  }
  await page.keyboard.press('ArrowUp');
  assert.equal(await focused(), 'busqueda-texto', 'Flecha arriba desde el primero vuelve a la caja');

  await page.keyboard.press('Escape');
  assert.equal(await box.inputValue(), '', 'Escape vacía la caja');
  assert.equal(await page.locator(`${HEADER_BOX} .lista-resultados`).isVisible(), false, 'Escape cierra los resultados');
  assert.equal(await page.locator(`${HEADER_BOX} .lista-resultados a`).count(), 0);

  // Tab from the box reaches the results (plain links).
  await box.fill('ticket');
  await page.locator(`${HEADER_BOX} .lista-resultados[data-consulta="ticket"]`).waitFor({ state: 'attached' });
  await page.keyboard.press('Tab');
  assert.equal(await focused(), TICKET, 'Tab desde la caja llega al primer resultado');

  // Enter in the box opens the first result.
  await box.focus();
  await Promise.all([page.waitForURL((url) => url.pathname === TICKET), page.keyboard.press('Enter')]);
  assert.equal(await page.locator('h1').innerText(), 'Cómo abrir un ticket');
  assert.deepEqual(page.problems, []);
});

test('el código de la búsqueda, sus estilos y el índice se cargan al usar la caja, no con la página', async () => {
  const page = await env.open(PAGO);
  const requested = () => page.evaluate(() => performance.getEntriesByType('resource')
    .map((entry) => new URL(entry.name).pathname)
    .filter((path) => path.startsWith('/busqueda.')));
  await page.waitForLoadState('load');
  assert.deepEqual(await requested(), [], 'nada de la búsqueda al cargar la página');
  const items = await search(page, HEADER_BOX, 'deposito');
  assert.ok(await items.count() >= 1);
  // The index is fingerprinted by `build`; `serve` names it busqueda.json.
  const loaded = (await requested())
    .map((path) => path.replace(/\.[0-9a-f]{8}\./, '.HASH.').replace('/busqueda.HASH.json', '/busqueda.json'))
    .sort();
  assert.deepEqual(loaded, ['/busqueda.HASH.css', '/busqueda.HASH.js', '/busqueda.json']);
  assert.deepEqual(page.problems, []);
});

test('sin JavaScript el buscador no se muestra y las secciones siguen siendo la entrada', async () => {
  for (const path of ['/', PAGO, '/categorias/cuenta/']) {
    const page = await env.open(path, { javaScriptEnabled: false });
    const form = page.locator('form[role=search]');
    assert.equal(await form.count(), 1, `${path}: el formulario está en el HTML`);
    assert.equal(await form.isVisible(), false, `${path}: sin JavaScript el buscador debe estar oculto`);
    assert.equal(await form.getAttribute('hidden'), '', `${path}: oculto con el atributo hidden`);
    assert.equal(await page.getByRole('searchbox').count(), 0, `${path}: ninguna caja de búsqueda accesible`);
    assert.ok(await page.locator('.nav-principal a[href="/categorias/cuenta/"]').isVisible(), `${path}: la navegación por secciones se ve`);
    await page.context().close();
  }
});

test('axe no encuentra infracciones con resultados en pantalla, ni hay desplazamiento lateral en 360 px', async (t) => {
  for (const [label, options] of [['escritorio', {}], ['teléfono 360 px', { viewport: PHONE, isMobile: true, hasTouch: true }]]) {
    for (const [path, form] of [['/', HOME_BOX], [PAGO, HEADER_BOX]]) {
      await t.test(`${path} (${label})`, async () => {
        const page = await env.open(path, options);
        const items = await search(page, form, 'factura fisica');
        assert.ok(await items.count() >= 1);
        await page.locator(`${form} [role=status]`).getByText(/resultados? para/).waitFor();
        const results = await new AxeBuilder({ page }).analyze();
        assert.equal(results.violations.length, 0, formatViolations(`${path} con resultados (${label})`, results.violations));
        const { scrollWidth, clientWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
        }));
        assert.ok(scrollWidth <= clientWidth, `${path} (${label}): scrollWidth ${scrollWidth} > ${clientWidth}`);
        assert.deepEqual(page.problems, []);
        await page.context().close();
      });
    }
  }
});
