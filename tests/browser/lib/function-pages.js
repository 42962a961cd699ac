// Pages the form function renders at runtime (the confirmation without
// JavaScript, the 422 error page, the ticket status page) are not in the
// built site: the scenarios save them here as the browser received them,
// and checks/html-y-enlaces.test.js runs the Nu HTML checker on them.
// run.sh empties the folder before the scenarios.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { artifactsDir } from './paths.js';

export const functionPagesDir = path.join(artifactsDir, 'paginas-de-la-funcion');

/** Saves the body of an HTML response of the function as `<name>.html`. */
export async function saveFunctionPage(name, response) {
  assert.match(response.headers()['content-type'] ?? '', /^text\/html/, `${response.url()} no es HTML`);
  await mkdir(functionPagesDir, { recursive: true });
  await writeFile(path.join(functionPagesDir, `${name}.html`), await response.body());
}
