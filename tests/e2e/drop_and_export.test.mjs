// Issue 2: drop a CSV (a real drop event with a DataTransfer), wait for segments, export,
// and check the downloaded file's columns and row count.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, dropFiles, exportCsv, parseCsv, assert } from './helpers.mjs';

export const name = 'dropping a CSV gives segments and a segmented export';

export default async function ({ page, baseUrl, dir, generate, consoleErrors }) {
  const file = join(dir, 'shop-export.csv');
  generate(1500, 11, file);
  const bytes = readFileSync(file);
  await page.goto(baseUrl);
  assert(await page.getAttribute('[data-testid=status]', 'data-state') === 'idle', 'starts idle');
  await dropFiles(page, [{ name: 'shop-export.csv', bytes }]);
  const state = await settled(page);
  assert(state === 'done', `status ends done, got ${state}: ${await page.textContent('[data-testid=status]')}`);
  const segments = await page.locator('[data-testid=segment]').count();
  assert(segments >= 3, `at least three segments are shown, got ${segments}`);

  const { name: downloaded, text } = await exportCsv(page);
  assert(downloaded === 'segments.csv', `downloads segments.csv, got ${downloaded}`);
  const original = parseCsv(bytes.toString('utf8'));
  const rows = parseCsv(text);
  const header = rows[0];
  assert(JSON.stringify(header) === JSON.stringify([...original[0], 'segment', 'segment_name', 'edge_score', 'reason']),
    `export header is the original columns then segment, segment_name, edge_score, reason: ${header.join('|')}`);
  assert(rows.length === original.length, `same number of rows: ${rows.length} vs ${original.length}`);
  const segCol = header.indexOf('segment');
  const scoreCol = header.indexOf('edge_score');
  for (const r of rows.slice(1)) {
    assert(/^(S\d+|edge)$/.test(r[segCol]), `segment is S<n> or edge: ${r[segCol]}`);
    const s = Number(r[scoreCol]);
    assert(s >= 0 && s <= 1, `edge_score in 0–1: ${r[scoreCol]}`);
  }
  assert(rows.slice(1).every((r, i) => r[0] === original[i + 1][0]), 'rows keep their order and original cells');
  // The status counts people in no segment as the export and the list beneath do, and says
  // how many of them are unlike everyone (edge score 0.5 and up) only when there are some.
  const edge = rows.slice(1).filter((r) => r[segCol] === 'edge');
  const unlike = edge.filter((r) => Number(r[scoreCol]) >= 0.5).length;
  const status = await page.textContent('[data-testid=status]');
  // Numbers as the page writes them, in the browser's own locale.
  const [people, none, far] = await page.evaluate((ns) => ns.map((n) => new Intl.NumberFormat().format(n)),
    [rows.length - 1, edge.length, unlike]);
  const expected = `${people} people: ${segments} segments, ${none} in no segment`
    + (unlike > 0 ? ` (${far} unlike everyone)` : '');
  assert(status.trim() === expected, `status "${status}" is "${expected}"`);
  assert(consoleErrors.filter((e) => !e.includes('404')).length === 0, `no console errors: ${consoleErrors.join('; ')}`);
}
