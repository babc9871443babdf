// A survey of choices only has no behaviour columns: its portraits say so, rather than
// "their behaviour is like everyone else's", and the segments still come from what they say.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { settled, dropFiles, assert } from './helpers.mjs';

export const name = 'a choices-only survey: portraits say there is no behaviour, not that it is ordinary';

export default async function ({ page, baseUrl, dir, cli }) {
  const file = join(dir, 'preferences.csv');
  execFileSync(cli, ['generate', '--domain', 'survey', '--rows', '2000', '--seed', '3', '--out', file]);
  await page.goto(baseUrl);
  await dropFiles(page, [{ name: 'preferences.csv', bytes: readFileSync(file) }]);
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  assert(await page.locator('[data-testid=segment]').count() >= 3, 'segments from what they say');
  const does = await page.textContent('[data-testid=portrait] section.do');
  assert(does.includes('no behaviour') && !does.includes("like everyone else"), `the portrait says the file has no behaviour: ${does}`);
}
