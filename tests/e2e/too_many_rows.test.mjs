// Issue 20: the memory check before reading counts rows as well as bytes. A narrow file of
// millions of short rows (14 MB, 7,000,000 visits) needs memory by the person, not by the
// byte: the page refuses it before reading, says why and what works instead, and the next
// file is analysed as usual.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, dropFiles, assert } from './helpers.mjs';

export const name = 'a narrow file of millions of rows is refused before reading, by its rows';

export default async function ({ page, baseUrl, dir, generate }) {
  const narrow = join(dir, 'visits.csv');
  writeFileSync(narrow, 'Visits\n' + '3\n'.repeat(7_000_000));
  await page.goto(baseUrl);
  await page.setInputFiles('[data-testid=file-input]', narrow);
  assert(await settled(page) === 'error', await page.textContent('[data-testid=status]'));
  const message = await page.textContent('[data-testid=error]');
  assert(/visits\.csv: 14 MB of CSV \(about (6,99|7,00)\d,\d{3} rows\) needs about 3\.\d GB of memory/.test(message), message);
  assert(/command-line tool/.test(message) && /sample of the export of at most [\d,]+ rows/.test(message), message);
  const file = join(dir, 'small.csv');
  generate(600, 5, file);
  await dropFiles(page, [{ name: 'small.csv', bytes: readFileSync(file) }]);
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  assert(await page.locator('[data-testid=segment]').count() >= 2, 'segments are shown');
}
