// The browser's search (static/busqueda.js) on the index of the real site:
// each query must put the expected tutorial first.
//
// Needs the index: INDICE_BUSQUEDA=<busqueda.HASH.json> or SITE_DIR=<built
// site>. `cargo test -p site-gen` (tests/busqueda.rs) builds the site and
// runs this file; by hand:
//
//   cargo run -q -p site-gen -- build --out /tmp/sitio
//   SITE_DIR=/tmp/sitio node --test site-gen/tests/busqueda.test.mjs
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';

// BUSQUEDA_JS: another build of it (tests/busqueda.rs passes the minified one).
const source = process.env.BUSQUEDA_JS ?? new URL('../static/busqueda.js', import.meta.url);
vm.runInThisContext(readFileSync(source, 'utf8'), { filename: 'busqueda.js' });
const B = globalThis.BusquedaAyuda;

function indexFile() {
  if (process.env.INDICE_BUSQUEDA) return process.env.INDICE_BUSQUEDA;
  const dir = process.env.SITE_DIR;
  if (!dir) return null;
  const name = readdirSync(dir).find((f) => f === 'busqueda.json');
  return name ? path.join(dir, name) : null;
}

const file = indexFile();
const skip = file ? false : 'sin índice: defina INDICE_BUSQUEDA o SITE_DIR';
const index = file ? B.prepararIndice(JSON.parse(readFileSync(file, 'utf8'))) : null;

const PAGO = 'como-hacer-un-reporte-de-pago';
const SUBCUENTAS = 'creacion-de-sub-cuentas-y-contactos-adicionales';
const REGISTRO = 'como-registrarse-como-cliente';
const CORREOS = 'como-acceder-a-los-correos-recibidos-desde-el-area-de-cliente';
const TICKET = 'como-abrir-un-ticket';
const DATOS = 'como-actualizar-los-datos-en-el-area-de-cliente';

export const CASES = [
  ['deposito', PAGO],
  ['depósito', PAGO],
  ['DEPOSITO', PAGO],
  ['factura fisica', PAGO],
  ['factura física', PAGO],
  ['subcuenta', SUBCUENTAS],
  ['sub-cuentas', SUBCUENTAS],
  ['registrarse', REGISTRO],
  ['correos recibidos', CORREOS],
  ['ticket', TICKET],
  ['actualizar datos', DATOS],
  // Each tutorial by an accent-less query of its topic.
  ['reporte de pago', PAGO],
  ['reportar pago', PAGO],
  ['abrir ticket', TICKET],
  ['registro de cliente', REGISTRO],
  ['registro', REGISTRO],
  ['correos', CORREOS],
  ['ver correos enviados', CORREOS],
  ['cambiar contrasena', DATOS],
  ['cambiar contraseña', DATOS],
  ['mis datos', DATOS],
  ['contactos adicionales', SUBCUENTAS],
  ['permisos', SUBCUENTAS],
  // Typing: the last word is a prefix.
  ['depos', PAGO],
  ['subc', SUBCUENTAS],
  ['factura fis', PAGO],
  ['regis', REGISTRO],
];

test('cada consulta pone primero el tutorial esperado', { skip }, (t) => {
  const wrong = [];
  for (const [query, slug] of CASES) {
    const results = B.buscar(index, query, 8);
    const got = results.map((r) => r.doc.slug);
    if (got[0] !== slug) wrong.push(`«${query}»: primero ${got[0] ?? '(nada)'}, esperado ${slug}; orden: ${got.join(', ')}`);
  }
  t.diagnostic(`${CASES.length} consultas en ${path.basename(file)}`);
  assert.deepEqual(wrong, []);
});

test('una consulta sin coincidencias no devuelve nada', { skip }, () => {
  assert.deepEqual(B.buscar(index, 'xilofono zzz', 8), []);
});

test('los resultados traen título, categoría y un extracto con la palabra marcada', { skip }, () => {
  const consulta = B.consultaPara(index, 'factura fisica');
  const [first] = B.buscar(index, 'factura fisica', 8);
  assert.equal(first.doc.url, `/${PAGO}/`);
  assert.equal(first.doc.categoria, 'Facturación y pagos');
  const marked = B.extracto(first.doc, consulta).filter((p) => p.marca).map((p) => p.texto);
  assert.ok(marked.includes('factura') || marked.includes('Factura'), marked.join(', '));
  assert.ok(marked.includes('físico'), marked.join(', '));
});

test('una palabra que solo está en el cuerpo se muestra como «Menciona: …» con su acento', { skip }, () => {
  const [first] = B.buscar(index, 'deposito', 8);
  assert.equal(first.doc.url, `/${PAGO}/`);
  const consulta = B.consultaPara(index, 'deposito');
  const visible = B.resaltar(first.doc.titulo, consulta).concat(B.extracto(first.doc, consulta));
  assert.deepEqual(B.menciones(first, visible), ['depósito']);
});
