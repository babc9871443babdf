// Issue 8: the meaning model is a same-origin file fetched by the worker only when a file has
// free text, with its download shown; it is fetched once, cached by the service worker, and
// answers in another language are read by their words with a note saying so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, assert } from './helpers.mjs';

export const name = 'meaning model: loaded lazily, once, with progress; other languages fall back';

const TABLE = 'meaning/minilm-static.bin';

export default async function ({ page, context, baseUrl, dir, generate }) {
  // Requests for the model by the page or its worker (the service worker's own fetch to the
  // network, when the cache is empty, is counted apart).
  const fetched = [];
  const fromServiceWorker = [];
  context.on('request', (r) => {
    if (r.url().includes(TABLE)) (r.serviceWorker() ? fromServiceWorker : fetched).push(r.url());
  });
  await page.goto(baseUrl);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForTimeout(500);
  assert(fetched.length + fromServiceWorker.length === 0, `the first page load does not fetch the meaning model (${fetched.length} requests)`);

  // A file without free text: analysed without the model.
  const numbers = ['Customer,Orders,Spend,Plan'];
  for (let i = 0; i < 300; i++) numbers.push(`C${i},${(i * 7) % 23},${((i * 37) % 500) + 10}.50,${['basic', 'plus', 'pro'][i % 3]}`);
  await page.setInputFiles('[data-testid=file-input]', { name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(numbers.join('\n')) });
  assert(await settled(page) === 'done', `no-text file: ${await page.textContent('[data-testid=status]')}`);
  assert(fetched.length + fromServiceWorker.length === 0, `a file without free text does not fetch the model (${fetched.length} requests)`);

  // A file with free text: the model is fetched, and its download is shown as a stage.
  const stages = new Set();
  await page.exposeFunction('__stage', (s) => stages.add(s));
  await page.evaluate(() => {
    const status = document.querySelector('[data-testid=status]');
    new MutationObserver(() => window.__stage(status.textContent.split(' — ')[0])).observe(status, { childList: true, subtree: true, characterData: true });
  });
  const file = join(dir, 'survey.csv');
  generate(1500, 4, file);
  await page.setInputFiles('[data-testid=file-input]', { name: 'survey.csv', mimeType: 'text/csv', buffer: readFileSync(file) });
  assert(await settled(page) === 'done', `text file: ${await page.textContent('[data-testid=status]')}`);
  assert(fetched.length === 1 && fromServiceWorker.length <= 1, `the model is fetched once for a file with free text (${fetched.length} + ${fromServiceWorker.length} requests)`);
  assert(fetched.every((u) => u.startsWith(new URL(baseUrl).origin)), 'the model comes from the site itself');
  assert(stages.has('Loading the meaning model'), `the download is shown: ${[...stages].join(' | ')}`);
  const cached = await page.evaluate(async (t) => {
    for (const n of await caches.keys()) for (const r of await (await caches.open(n)).keys()) if (r.url.includes(t)) return true;
    return false;
  }, TABLE);
  assert(cached, 'the service worker keeps the model for the next visit');
  const warnings = await page.$$eval('.results .warning', (ps) => ps.map((p) => p.textContent));
  assert(!warnings.some((w) => w.includes('meaning model')), `English answers are read by meaning: ${warnings.join(' | ')}`);

  // Another analysis in the same tab does not fetch it again.
  const again = join(dir, 'again.csv');
  generate(800, 5, again);
  await page.setInputFiles('[data-testid=file-input]', { name: 'again.csv', mimeType: 'text/csv', buffer: readFileSync(again) });
  assert(await settled(page) === 'done', `second file: ${await page.textContent('[data-testid=status]')}`);
  assert(fetched.length === 1, `the model is fetched once per tab (${fetched.length} requests)`);

  // French answers: grouped by their words, and the page says so.
  const french = ['Email,Commandes,Que cherchez-vous à faire ?'];
  const starts = ['Je veux', 'Nous voulons', 'Surtout', 'Pour moi, il faut', 'Avant tout je cherche à'];
  const cores = ['payer moins cher pour mes courses', 'trouver des produits sans gluten pour mon fils', 'recevoir la livraison le soir après le travail',
    'avoir des factures avec la TVA pour la société', 'utiliser moins de plastique et des emballages consignés', 'commander les courses de la semaine pour la famille'];
  const ends = ['', ' et pour les enfants', ' le week-end', ' sans perdre de temps'];
  for (let i = 0; i < 300; i++) {
    french.push(`p${i}@exemple.fr,${(i * 5) % 17},"${starts[i % 5]} ${cores[(i * 7) % 6]}${ends[(i * 3) % 4]}"`);
  }
  await page.setInputFiles('[data-testid=file-input]', { name: 'enquete.csv', mimeType: 'text/csv', buffer: Buffer.from(french.join('\n')) });
  assert(await settled(page) === 'done', `French file: ${await page.textContent('[data-testid=status]')}`);
  const notes = await page.$$eval('.results .warning', (ps) => ps.map((p) => p.textContent));
  assert(notes.some((w) => w.includes('look French') && w.includes('words they share')), `the page says French answers were read by their words: ${notes.join(' | ')}`);
}
