// Issue 2: the file chooser works like dropping.
import { join } from 'node:path';
import { settled, assert } from './helpers.mjs';

export const name = 'choosing a file with the file chooser gives segments';

export default async function ({ page, baseUrl, dir, generate }) {
  const file = join(dir, 'crm.csv');
  generate(800, 5, file);
  await page.goto(baseUrl);
  await page.setInputFiles('[data-testid=file-input]', file);
  const state = await settled(page);
  assert(state === 'done', `status ends done, got ${state}: ${await page.textContent('[data-testid=status]')}`);
  assert(await page.locator('[data-testid=segment]').count() >= 2, 'segments are shown');
  assert(await page.locator('[data-testid=portrait]').count() === 1, 'the first edge segment is open');
}
