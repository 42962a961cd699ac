// Search benchmark (issue 9), run by bench/run.sh on a built site:
//   node bench/search.mjs SITE_DIR [REPETITIONS [QUERY...]]
// Prints `key=value` lines:
//   - the index's bytes against the bytes of every HTML page of the site;
//   - in Debian's Chromium (tests/browser's playwright-core), the time from a
//     query typed in the search box (an `input` event) to its results in the
//     page, with the index already loaded: the search box handles `input`
//     synchronously once it has the index, so the time covers analysing the
//     query, ranking, snippets, highlighting and the DOM update (not paint);
//   - the time to download and prepare the index on first focus.
import { createServer } from 'node:http';
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, normalize, relative, sep } from 'node:path';
import { launchBrowser, openPage } from '../tests/browser/lib/browser.js';

const DEFAULT_QUERIES = [
  'configuracion',
  'correo electronico',
  'contrasena',
  'numero de orden',
  'factura',
  'verificacion',
  'dominio vencimiento',
  'servicios administrar',
  'co', // a two-letter prefix: the widest match while typing
  'codigos de verificacion del telefono',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.xml': 'application/xml',
  '.txt': 'text/plain',
};

const [siteDir, repetitionsArg, ...queryArgs] = process.argv.slice(2);
const QUERIES = queryArgs.length ? queryArgs : DEFAULT_QUERIES;
if (!siteDir) {
  console.error('uso: node bench/search.mjs CARPETA_DEL_SITIO [REPETICIONES [CONSULTA...]]');
  process.exit(2);
}
const repetitions = Number(repetitionsArg || 20);

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

let htmlBytes = 0;
let htmlPages = 0;
let indexFile = null;
for await (const path of files(siteDir)) {
  const name = relative(siteDir, path);
  if (name.endsWith('.html')) {
    htmlBytes += (await stat(path)).size;
    htmlPages += 1;
  } else if (name === 'busqueda.json') {
    indexFile = name;
  }
}
if (!indexFile) throw new Error(`no hay índice de búsqueda (busqueda.json) en ${siteDir}`);
const indexBytes = (await stat(join(siteDir, indexFile))).size;

const server = createServer(async (request, response) => {
  const url = new URL(request.url, 'http://127.0.0.1');
  let path = normalize(join(siteDir, decodeURIComponent(url.pathname)));
  if (!path.startsWith(normalize(siteDir) + sep) && path !== normalize(siteDir)) {
    response.writeHead(403).end();
    return;
  }
  if (url.pathname.endsWith('/')) path = join(path, 'index.html');
  try {
    const body = await readFile(path);
    response.writeHead(200, { 'content-type': TYPES[extname(path)] || 'application/octet-stream' });
    response.end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await launchBrowser();
try {
  const page = await openPage(browser);
  await page.goto(`${origin}/`);
  const box = page.locator('form[data-busqueda] input[type=search]').first();
  await box.waitFor({ state: 'visible' });

  // First use: focus loads the index; the first query waits for it.
  const loadStart = Date.now();
  await box.focus();
  await box.fill(QUERIES[0]);
  await page.locator('form[data-busqueda] .resultados-busqueda a').first().waitFor();
  const firstResultsMs = Date.now() - loadStart;

  const timings = await page.evaluate(
    ({ queries, repetitions }) => {
      const input = document.querySelector('form[data-busqueda] input[type=search]');
      const form = input.closest('form');
      const perQuery = {};
      const all = [];
      for (let round = 0; round < repetitions; round += 1) {
        for (const query of queries) {
          input.value = query;
          const start = performance.now();
          input.dispatchEvent(new Event('input', { bubbles: true }));
          const ms = performance.now() - start;
          all.push(ms);
          perQuery[query] = perQuery[query] || { ms: [], results: 0 };
          perQuery[query].ms.push(ms);
          perQuery[query].results = form.querySelectorAll('.resultados-busqueda a').length;
        }
      }
      return { all, perQuery };
    },
    { queries: QUERIES, repetitions },
  );
  if (page.problems.length) throw new Error(page.problems.join('\n'));

  const sorted = (values) => [...values].sort((a, b) => a - b);
  const quantile = (values, q) => {
    const s = sorted(values);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))];
  };
  const fixed = (ms) => ms.toFixed(2);
  const empty = QUERIES.filter((q) => timings.perQuery[q].results === 0);
  if (empty.length) throw new Error(`consultas sin resultados: ${empty.join(', ')}`);

  console.log(`html_pages=${htmlPages}`);
  console.log(`html_bytes=${htmlBytes}`);
  console.log(`index_file=${indexFile}`);
  console.log(`index_bytes=${indexBytes}`);
  console.log(`index_share_percent=${((100 * indexBytes) / htmlBytes).toFixed(1)}`);
  console.log(`first_results_ms=${firstResultsMs}`);
  console.log(`queries=${QUERIES.length}`);
  console.log(`repetitions=${repetitions}`);
  console.log(`query_median_ms=${fixed(quantile(timings.all, 0.5))}`);
  console.log(`query_p95_ms=${fixed(quantile(timings.all, 0.95))}`);
  console.log(`query_max_ms=${fixed(Math.max(...timings.all))}`);
  const slowest = QUERIES.map((q) => [q, quantile(timings.perQuery[q].ms, 0.5), timings.perQuery[q].results]).sort(
    (a, b) => b[1] - a[1],
  )[0];
  console.log(`slowest_query=${slowest[0]}`);
  console.log(`slowest_query_median_ms=${fixed(slowest[1])}`);
  console.log(`slowest_query_results=${slowest[2]}`);
} finally {
  await browser.close();
  server.close();
}
