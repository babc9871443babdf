// Issue 7: a long run can be cancelled at any point, and the page stays usable.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, assert } from './helpers.mjs';

export const name = 'cancelling a long run leaves the page usable';

export default async function ({ page, baseUrl, dir, generate }) {
  const big = join(dir, 'big.csv');
  generate(30000, 4, big);
  await page.goto(baseUrl);
  // Cancel while reading.
  await page.setInputFiles('[data-testid=file-input]', big);
  await page.click('[data-testid=cancel]');
  await page.waitForSelector('[data-testid=status][data-state=idle]', { state: 'attached' });
  // Let it read, then cancel while segments are being found.
  await page.setInputFiles('[data-testid=file-input]', big);
  await page.waitForFunction(() => /Finding segments|Building features/.test(document.querySelector('[data-testid=status]').textContent), null, { polling: 20 });
  await page.click('[data-testid=cancel]');
  const state = await page.getAttribute('[data-testid=status]', 'data-state');
  assert(state !== 'working', `cancel stops the work at once, got ${state}`);
  // The page still works: another file goes through to segments.
  const small = join(dir, 'small.csv');
  generate(800, 5, small);
  await page.setInputFiles('[data-testid=file-input]', { name: 'small.csv', mimeType: 'text/csv', buffer: readFileSync(small) });
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  assert(await page.locator('[data-testid=segment]').count() >= 3, 'segments are shown after the cancel');
}
