// Issue 20: a million-row export finishes in the tab and every row comes back in the export.
// Too slow for CI (about two minutes of analysis); `make bench` runs it
// (`node tests/e2e/run.mjs --slow`).
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { settled, assert } from '../helpers.mjs';

export const name = 'a 1,000,000-row export is segmented in the tab and exported whole';

const ROWS = 1_000_000;

/** The first field of every record of a CSV file, read as a stream (quotes may hold commas
 * and line breaks), without holding the file as one string. */
async function firstFields(path) {
  const firsts = [];
  let quoted = false, atStart = true, field = [], inFirst = true;
  for await (const chunk of createReadStream(path)) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (quoted) {
        if (c === 0x22) quoted = false; // a doubled quote re-opens on the next byte
        else if (inFirst) field.push(c);
        continue;
      }
      if (c === 0x22) { quoted = true; if (!atStart && inFirst) field.push(c); atStart = false; continue; }
      if (c === 0x2c) { if (inFirst) { firsts.push(Buffer.from(field).toString('utf8')); inFirst = false; } atStart = true; continue; }
      if (c === 0x0a) {
        if (inFirst) firsts.push(Buffer.from(field).toString('utf8'));
        field = []; inFirst = true; atStart = true; continue;
      }
      if (c !== 0x0d && inFirst) field.push(c);
      atStart = false;
    }
  }
  if (!inFirst || field.length) { if (inFirst) firsts.push(Buffer.from(field).toString('utf8')); }
  return firsts;
}

export default async function ({ page, baseUrl, dir, generate, consoleErrors }) {
  const file = join(dir, 'million.csv');
  generate(ROWS, 7, file);
  const mb = statSync(file).size / 1e6;
  const memory = [];
  page.on('worker', (w) => w.on('console', (m) => { if (/worker (memory|stages)/.test(m.text())) memory.push(m.text()); }));
  await page.goto(baseUrl);
  const started = Date.now();
  await page.setInputFiles('[data-testid=file-input]', file);
  const state = await settled(page, 900_000);
  const seconds = (Date.now() - started) / 1000;
  const said = await page.textContent('[data-testid=status]');
  assert(state === 'done', `status ends done, got ${state}: ${said}`);
  console.log(`  ${ROWS.toLocaleString('en')} rows (${mb.toFixed(0)} MB): file chosen → segments shown in ${seconds.toFixed(1)} s; the page said: ${said}`);
  for (const m of memory) console.log(`  ${m.replace('Edgewise: ', '')}`);
  const segments = await page.locator('[data-testid=segment]').count();
  assert(segments >= 3, `at least three segments are shown, got ${segments}`);

  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 600_000 }),
    page.click('[data-testid=export-csv]'),
  ]);
  const exported = await download.path();
  // The export starts with a byte order mark (for spreadsheets); the generated file does not.
  const [original, back] = [await firstFields(file), await firstFields(exported)];
  if (back.length) back[0] = back[0].replace(/^\uFEFF/, '');
  assert(original.length === ROWS + 1, `the generated file has a header and ${ROWS} rows, got ${original.length} records`);
  assert(back.length === original.length, `every row is exported: ${back.length} records vs ${original.length}`);
  const moved = original.findIndex((v, i) => back[i] !== v);
  assert(moved === -1, `rows keep their order and first cells; first difference at record ${moved}: ${back[moved]} vs ${original[moved]}`);
  assert(consoleErrors.filter((e) => !e.includes('404')).length === 0, `no console errors: ${consoleErrors.join('; ')}`);
}
