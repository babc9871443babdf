// Issue 6: on a generated export with planted segments, each planted edge segment's
// distinguishing words appear in a portrait, and every verbatim quote exists in the file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, dropFiles, parseCsv, assert } from './helpers.mjs';

export const name = 'portraits show the planted segments in their own words';

// The words each planted edge group uses in its several wordings (see src/synth.rs).
const PLANTED = {
  'small business buying for the office': /\b(invoices?|vat|office|business|company|accounts?)\b/i,
  'coeliac and allergy households': /\b(gluten|allerg\w*|coeliac|nut|dairy|wheat)\b/i,
  'shopping for an elderly relative': /\b(mum|gran|father|dad|elderly|parents|relative|lives|older|town|house|operation|essentials)\b/i,
  'party and event hosts': /\b(part(y|ies)|drinks?|guests|forty|catering|events?|barbecues|wedding|bulk)\b/i,
  'zero-waste shoppers': /\b(plastic|packaging|waste|recycle|refillable|footprint|loose)\b/i,
  'night-shift workers': /\b(nights?|shifts?|3am|asleep|sleeping|late)\b/i,
};

export default async function ({ page, baseUrl, dir, generate }) {
  const file = join(dir, 'planted.csv');
  generate(3000, 5, file);
  const bytes = readFileSync(file);
  const rows = parseCsv(bytes.toString('utf8'));
  const cells = new Set(rows.slice(1).flat());
  await page.goto(baseUrl);
  await dropFiles(page, [{ name: 'planted.csv', bytes }]);
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));

  const portraits = [];
  const cards = page.locator('[data-testid=segment]:not(.mass)');
  const n = await cards.count();
  assert(n >= 6, `at least the six planted edge segments are listed, got ${n}`);
  for (let i = 0; i < n; i++) {
    await cards.nth(i).click();
    const portrait = page.locator('[data-testid=portrait]');
    await portrait.waitFor();
    const title = await portrait.locator('h2').textContent();
    const phrases = await portrait.locator('[data-testid=phrase] .phrase').allTextContents();
    const quotes = await portrait.locator('[data-testid=quote] blockquote').allTextContents();
    portraits.push({ title, phrases, quotes });
    for (const q of quotes) assert(cells.has(q), `quote “${q}” is an answer in the file, word for word`);
    assert(quotes.length >= 3 && quotes.length <= 5, `${title}: three to five quotes, got ${quotes.length}`);
  }
  for (const [group, words] of Object.entries(PLANTED)) {
    const found = portraits.find((p) => p.phrases.filter((t) => words.test(t)).length >= 2 || (words.test(p.title) && p.phrases.some((t) => words.test(t))) && p.quotes.some((q) => words.test(q)));
    assert(found, `the “${group}” segment is portrayed in its own words; portraits: ${portraits.map((p) => `${p.title}: ${p.phrases.join(', ')}`).join(' / ')}`);
  }
}
