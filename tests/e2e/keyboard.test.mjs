// Issue 19: the charts are on the page too and reachable by keyboard; the person dialog takes
// focus when it opens, closes on Escape and gives focus back to what opened it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, dropFiles, assert } from './helpers.mjs';

export const name = 'charts are reachable by keyboard; the person dialog takes focus and closes on Escape';

export default async function ({ page, baseUrl, root, consoleErrors }) {
  const names = ['example-survey.csv', 'example-crm.csv'];
  await page.goto(baseUrl);
  await dropFiles(page, names.map((n) => ({ name: n, bytes: readFileSync(join(root, 'assets', 'example', n)) })));
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));

  // Charts: open them from the keyboard, then Tab reaches each figure.
  await page.focus('[data-testid=charts] > summary');
  await page.keyboard.press('Enter');
  const segments = await page.locator('[data-testid=segment]').count();
  assert(await page.locator('[data-testid=charts] svg[aria-label="Segment sizes"] rect').count() === segments, 'one bar per segment');
  assert(await page.locator('[data-testid=charts] svg[aria-label$="largest differences"]').count() === segments, 'one small multiple per segment');
  assert(await page.locator('[data-testid=charts] svg[aria-label="Opportunity landscape"]').count() === 1, 'the opportunity landscape');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  assert(focused === 'Segment sizes', `Tab from the summary reaches the first chart, got ${focused}`);

  // The person dialog: a lone outlier's button opens it; focus moves in; Escape closes it and
  // focus returns to the button.
  const opener = page.locator('[data-testid=outlier] button').first();
  await opener.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=person]');
  const inDialog = await page.evaluate(() => document.activeElement?.closest('[data-testid=person]') !== null);
  assert(inDialog, 'the dialog takes focus');
  await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=person]', { state: 'detached' });
  const back = await page.evaluate(() => document.activeElement?.closest('[data-testid=outlier]') !== null);
  assert(back, 'focus returns to the button that opened the dialog');
  assert(consoleErrors.filter((e) => !e.includes('404')).length === 0, `no console errors: ${consoleErrors.join('; ')}`);
}
