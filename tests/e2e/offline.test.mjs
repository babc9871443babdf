// Issue 7: after the first visit the page works offline — a service worker caches the app's
// own files (and nothing from anywhere else).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, assert } from './helpers.mjs';

export const name = 'works offline after the first visit';

export default async function ({ page, context, baseUrl, dir, generate }) {
  await page.goto(baseUrl);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const urls = [];
    for (const n of names) for (const r of await (await caches.open(n)).keys()) urls.push(r.url);
    return urls;
  });
  const origin = new URL(baseUrl).origin;
  assert(cached.some((u) => u.endsWith('.wasm')) && cached.every((u) => u.startsWith(origin)), `the cache holds the app's own files only: ${cached.length} files`);
  await context.setOffline(true);
  try {
    await page.reload();
    const file = join(dir, 'offline.csv');
    generate(600, 2, file);
    await page.setInputFiles('[data-testid=file-input]', { name: 'offline.csv', mimeType: 'text/csv', buffer: readFileSync(file) });
    assert(await settled(page) === 'done', `offline analysis: ${await page.textContent('[data-testid=status]')}`);
  } finally {
    await context.setOffline(false);
  }
}
