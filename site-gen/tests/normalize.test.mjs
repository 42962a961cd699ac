// The browser's normaliser (static/busqueda.js) against the table shared
// with the Rust one (fixtures/normalizacion.json), plus the query rules and
// highlighting that only the browser has.
//
//   node --test site-gen/tests/normalize.test.mjs
//
// `cargo test -p site-gen` runs it too (tests/busqueda.rs) when node is
// installed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const here = new URL('.', import.meta.url);
// The file is a classic script: run it in this realm (no DOM here, so it
// only defines globalThis.BusquedaAyuda).
// BUSQUEDA_JS: another build of it (tests/busqueda.rs passes the minified one).
const source = process.env.BUSQUEDA_JS ?? new URL('../static/busqueda.js', here);
vm.runInThisContext(readFileSync(source, 'utf8'), { filename: 'busqueda.js' });
const B = globalThis.BusquedaAyuda;
const table = JSON.parse(readFileSync(new URL('fixtures/normalizacion.json', here), 'utf8'));

test('las mismas palabras vacías que en Rust', () => {
  assert.deepEqual(B.PARADAS, table.paradas);
});

test('plegar: minúsculas y sin acentos, la ñ se queda', () => {
  for (const [input, expected] of table.plegar) {
    assert.equal(B.plegar(input), expected, `plegar(${JSON.stringify(input)})`);
  }
});

test('raiz: las mismas raíces que en Rust', () => {
  for (const [input, expected] of table.raiz) {
    assert.equal(B.raiz(input), expected, `raiz(${JSON.stringify(input)})`);
  }
});

test('terminos: los mismos términos que en Rust', () => {
  assert.ok(table.terminos.length >= 20);
  for (const [input, expected] of table.terminos) {
    assert.deepEqual(B.terminos(input), expected, `terminos(${JSON.stringify(input)})`);
  }
});

test('la última palabra a medio escribir cuenta como prefijo', () => {
  assert.deepEqual(B.analizarConsulta('factura fis'), [
    { t: 'factur', prefijo: false },
    { t: 'fis', prefijo: true },
  ]);
  // Followed by a space, every word is complete.
  assert.deepEqual(B.analizarConsulta('factura fisica '), [
    { t: 'factur', prefijo: false },
    { t: 'fisic', prefijo: false },
  ]);
  assert.deepEqual(B.analizarConsulta('sub-cuen'), [
    { t: 'sub', prefijo: true },
    { t: 'cuen', prefijo: true },
    { t: 'subcuen', prefijo: true },
  ]);
  // A stop word being typed is kept as a prefix only when nothing else is there.
  assert.deepEqual(B.analizarConsulta('su'), [{ t: 'su', prefijo: true }]);
  assert.deepEqual(B.analizarConsulta('reporte de'), [{ t: 'report', prefijo: false }]);
  assert.deepEqual(B.analizarConsulta('  '), []);
  assert.deepEqual(B.analizarConsulta('de la '), []);
});

const INDEX = B.prepararIndice({
  v: 1,
  c: ['Facturación y pagos', 'Cuenta'],
  d: [
    ['pago', 'Cómo hacer un reporte de pago', 0, 'Reporte su depósito y pida la factura fiscal en físico.', ['Factura fiscal en físico']],
    ['sub', 'Creación de sub-cuentas', 1, 'Autorice a otra persona.', ['Permisos']],
  ],
  t: ['contraseñ', 'deposit', 'factur', 'fiscal', 'fisic', 'pag', 'sub', 'subcuent'],
  f: ['contraseña', 'depósito', 'factura', '', 'físico', 'pago', '', 'sub-cuentas'],
  p: [[1 * 64 + 4], [4], [14], [10], [10], [14], [1 * 64 + 12], [1 * 64 + 12]],
});

test('buscar: prefijos, acentos y orden por términos encontrados y peso', () => {
  assert.equal(B.buscar(INDEX, 'depósito')[0].doc.slug, 'pago');
  assert.equal(B.buscar(INDEX, 'DEPOS')[0].doc.slug, 'pago');
  assert.equal(B.buscar(INDEX, 'subcuenta')[0].doc.slug, 'sub');
  assert.equal(B.buscar(INDEX, 'su')[0].doc.slug, 'sub');
  assert.deepEqual(B.buscar(INDEX, 'xyz'), []);
  assert.deepEqual(B.buscar(INDEX, ''), []);
  const [first] = B.buscar(INDEX, 'factura fisica');
  assert.equal(first.coinciden, 2);
  assert.equal(B.buscar(INDEX, 'pago', 1).length, 1);
});

test('sin ñ en el teclado: «contrasena» busca contraseña solo porque «contrasen» no está', () => {
  assert.deepEqual(B.consultaPara(INDEX, 'contrasena'), [{ t: 'contrasen', prefijo: true, variantes: ['contraseñ'] }]);
  assert.equal(B.buscar(INDEX, 'contrasena')[0].doc.slug, 'sub');
  assert.deepEqual(B.buscar(INDEX, 'ano '), [], 'año ≠ ano: no hay «año» en el índice');
  const trozos = B.resaltar('Cambie su contraseña', B.consultaPara(INDEX, 'contrasena'));
  assert.deepEqual(trozos.filter((t) => t.marca).map((t) => t.texto), ['contraseña']);
});

test('resaltar: marca las palabras que responden, con sus acentos y guiones', () => {
  const consulta = B.analizarConsulta('factura fisica subcuen');
  assert.deepEqual(B.resaltar('Factura fiscal en físico, sub-cuentas.', consulta), [
    { texto: 'Factura', marca: true },
    { texto: ' fiscal en ', marca: false },
    { texto: 'físico', marca: true },
    { texto: ', ', marca: false },
    { texto: 'sub-cuentas', marca: true },
    { texto: '.', marca: false },
  ]);
  assert.deepEqual(B.resaltar('de la', B.analizarConsulta('de')), [
    { texto: 'de', marca: true },
    { texto: ' la', marca: false },
  ]);
});

test('menciones: la forma escrita de lo que no se ve marcado', () => {
  const [result] = B.buscar(INDEX, 'contrasena permisos');
  assert.equal(result.doc.slug, 'sub');
  assert.deepEqual(result.palabras.map((p) => p.forma), ['contraseña']);
  const consulta = B.consultaPara(INDEX, 'contrasena');
  const visible = B.resaltar(result.doc.titulo, consulta).concat(B.extracto(result.doc, consulta));
  assert.deepEqual(B.menciones(result, visible), ['contraseña']);
  // Seen in the title: not mentioned again.
  const [sub] = B.buscar(INDEX, 'subcuenta');
  const q = B.consultaPara(INDEX, 'subcuenta');
  assert.deepEqual(B.menciones(sub, B.resaltar(sub.doc.titulo, q)), []);
});

test('extracto: el resumen, o el título de sección que responde mejor', () => {
  const [pago] = INDEX.docs;
  const marcadas = (trozos) => trozos.filter((t) => t.marca).map((t) => t.texto);
  assert.deepEqual(marcadas(B.extracto(pago, B.analizarConsulta('deposito'))), ['depósito']);
  const sub = INDEX.docs[1];
  assert.deepEqual(marcadas(B.extracto(sub, B.analizarConsulta('permisos'))), ['Permisos']);
});
