// Issue 4: changing a column's role on the page recomputes the segments with that change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, dropFiles, exportCsv, parseCsv, assert } from './helpers.mjs';

export const name = 'changing a column role recomputes the segments';

const JOBS = 'What are you trying to get done when you shop with us?';

async function segmentsOf(page) {
  const { text } = await exportCsv(page);
  const rows = parseCsv(text);
  const col = rows[0].indexOf('segment');
  return rows.slice(1).map((r) => r[col]);
}

export default async function ({ page, baseUrl, dir, generate }) {
  const file = join(dir, 'export.csv');
  generate(2000, 21, file);
  await page.goto(baseUrl);
  await dropFiles(page, [{ name: 'export.csv', bytes: readFileSync(file) }]);
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  await page.click('.check > summary');
  const column = page.locator(`[data-testid=column][data-column="${JOBS}"]`);
  assert(await column.getAttribute('data-role') === 'stated', 'the jobs question starts as a stated job');
  const before = await segmentsOf(page);
  const namesBefore = await page.locator('[data-testid=segment] .segment-name').allTextContents();

  // Age forms no segment by default; switching it on warns that personas creep back in.
  await page.locator('[data-testid=column][data-column="Age"] [data-testid=role-select]').selectOption('behaviour');
  await page.waitForSelector('[data-testid=demographic-warning]');
  const warnings = (await page.locator('[data-testid=demographic-warning]').allTextContents()).join(' ');
  assert(/Age/.test(warnings) && /persona/i.test(warnings), `a demographic warning names Age: ${warnings}`);
  await page.locator('[data-testid=column][data-column="Age"] [data-testid=role-select]').selectOption('describe');
  assert(await page.locator('[data-testid=demographic-warning]').count() === 0, 'the warning goes when Age only describes again');

  // Stop using the main jobs question, then find segments again.
  await column.locator('[data-testid=role-select]').selectOption('ignore');
  assert(await page.locator(`[data-testid=column][data-column="${JOBS}"]`).getAttribute('data-role') === 'ignore', 'the column moved to ignore');
  await page.click('[data-testid=find-segments]');
  await page.waitForSelector('[data-testid=status][data-state=working]', { state: 'attached' });
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  const after = await segmentsOf(page);
  const namesAfter = await page.locator('[data-testid=segment] .segment-name').allTextContents();
  const changed = before.filter((s, i) => s !== after[i]).length;
  assert(changed > 0 && JSON.stringify(namesBefore) !== JSON.stringify(namesAfter),
    `segments recomputed: ${changed} people moved; names ${namesBefore.join(',')} → ${namesAfter.join(',')}`);
  // No quote shown now answers the ignored column.
  await page.locator('[data-testid=segment]').first().click();
  const quoted = await page.locator('[data-testid=portrait] [data-testid=quote] button').allTextContents();
  assert(quoted.length > 0 && quoted.every((t) => !t.includes(JOBS)), `no quote from the ignored column: ${quoted.join(' | ')}`);
}
