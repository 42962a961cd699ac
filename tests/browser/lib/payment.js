// The payment report form (`form[data-formulario="reporte-de-pago"]`) on the payment tutorial.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fixture } from './paths.js';

export const PAYMENT_PAGE = '/como-hacer-un-reporte-de-pago/';
export const FORM = 'form[data-formulario="reporte-de-pago"]';
export const RECEIPT_FIXTURE = fixture('comprobante.png');

/** `#pago-<name with hyphens>`: the control of a field. */
export function control(name) {
  return `#pago-${name.replaceAll('_', '-')}`;
}

/** The `.campo` box around a field (what the script shows and hides). */
export function box(name) {
  return `${FORM} .campo:has([name="${name}"])`;
}

/** A local calendar date `days` ago as YYYY-MM-DD (the form accepts up to 90 days back). */
export function daysAgo(days) {
  const d = new Date();
  d.setDate(d.getDate() - days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** What a customer types: every field, a transfer, the printed invoice asked for. */
export function paymentData(overrides = {}) {
  return {
    ordenes: '10452, 10453',
    monto: '1.234,56',
    moneda: 'Bs',
    metodo: 'transferencia',
    banco_destino: 'banesco',
    fecha: daysAgo(2),
    referencia: 'TRF-0042-7781',
    banco_origen: 'Banco de Venezuela',
    factura_fisica: true,
    direccion_envio: 'Av. Francisco de Miranda, Torre Europa, piso 4, oficina 4-B, Chacao, Caracas, Miranda 1060',
    nombre: 'María Fernanda Pérez',
    correo: 'maria.perez@example.com',
    comprobante: RECEIPT_FIXTURE,
    ...overrides,
  };
}

/**
 * Fills the form like a person: the selects first (so the conditional
 * fields appear when the script runs), then the rest. A key whose value is
 * undefined or '' is left empty.
 */
export async function fillPaymentForm(page, data) {
  const has = (name) => data[name] !== undefined && data[name] !== '';
  for (const name of ['moneda', 'metodo', 'banco_destino']) {
    if (has(name)) await page.selectOption(control(name), data[name]);
  }
  for (const name of ['ordenes', 'monto', 'fecha', 'referencia', 'banco_origen', 'nombre', 'correo']) {
    if (has(name)) await page.fill(control(name), data[name]);
  }
  if (data.factura_fisica) await page.check(control('factura_fisica'));
  if (has('direccion_envio')) await page.fill(control('direccion_envio'), data.direccion_envio);
  if (has('comprobante')) await page.setInputFiles(control('comprobante'), data.comprobante);
}

export function submitButton(page) {
  return page.locator(`${FORM} button[type=submit]`);
}

export function fileFacts(file) {
  const bytes = readFileSync(file);
  return { bytes, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * What `ayuda-staff show --json` must hold (nombre, correo, detalles,
 * comprobante) for a report sent filled in with `data` (see paymentData).
 * Every field of `data` has its place here, and a field this does not know
 * throws: a field added to the form cannot go uncompared. The store has no
 * flag of its own for the printed invoice: ticking «factura_fisica» is what
 * keeps the shipping address, which is null without it (as the bank of
 * origin is without a transfer).
 */
export function storedReport(data) {
  const places = ['ordenes', 'monto', 'moneda', 'metodo', 'banco_destino', 'fecha', 'referencia', 'banco_origen',
    'factura_fisica', 'direccion_envio', 'nombre', 'correo', 'comprobante'];
  const unknown = Object.keys(data).filter((name) => !places.includes(name));
  if (unknown.length) throw new Error(`storedReport no sabe dónde se guarda: ${unknown.join(', ')}`);
  const given = (name) => (data[name] === undefined || data[name] === '' ? null : data[name]);
  const receipt = given('comprobante') && fileFacts(data.comprobante);
  return {
    nombre: data.nombre,
    correo: data.correo,
    detalles: {
      tipo: 'reporte-de-pago',
      ordenes: data.ordenes.split(',').map((n) => Number(n.trim())),
      monto: data.monto,
      moneda: data.moneda,
      metodo: data.metodo,
      banco_destino: data.banco_destino,
      fecha: data.fecha,
      referencia: data.referencia,
      banco_origen: data.metodo === 'transferencia' ? given('banco_origen') : null,
      direccion_envio: data.factura_fisica ? given('direccion_envio') : null,
    },
    comprobante: receipt
      ? { tipo: path.extname(data.comprobante).slice(1), bytes: receipt.size, sha256: receipt.sha256 }
      : null,
  };
}

/** The part of a stored ticket that storedReport describes. */
export function asFilled(stored) {
  const { nombre, correo, detalles, comprobante } = stored;
  return { nombre, correo, detalles, comprobante };
}
