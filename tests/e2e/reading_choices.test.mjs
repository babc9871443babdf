// Issue 3: the user sees how each file was read and can override the delimiter, decimal
// separator, encoding and header row; the file is read again with the choice.
import { settled, dropFiles, assert } from './helpers.mjs';

export const name = 'reading choices: detected dialect shown, overrides re-read the file';

/** Opens the check panel and every file's reading choices (re-reading re-renders them closed). */
async function openChoices(page) {
  await page.evaluate(() => document.querySelectorAll('details.check, details.reading-choices').forEach((d) => { d.open = true; }));
}

export default async function ({ page, baseUrl }) {
  // A German-style export: semicolons, decimal commas, Windows-1252 umlauts.
  const lines = ['Kundennummer;Umsatz;Bestellungen;Kanal;Was möchten Sie erledigen?'];
  const say = ['günstig einkaufen für die Familie', 'Rechnungen mit MwSt für das Büro', 'glutenfreie Lebensmittel', 'Lieferung spät in der Nacht'];
  for (let i = 0; i < 240; i++) lines.push(`K${1000 + i};${(i * 37) % 900},${String(i % 100).padStart(2, '0')};${i % 13};${['Web', 'App', 'Laden'][i % 3]};${say[i % 4]}`);
  const text = lines.join('\r\n') + '\r\n';
  const bytes = Buffer.from(Array.from(text, (c) => { const code = c.charCodeAt(0); return code < 256 ? code : 63; }));
  await page.goto(baseUrl);
  await dropFiles(page, [{ name: 'kunden.csv', bytes }]);
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  await page.click('.check > summary');
  const dialect = await page.textContent('.check .dialect');
  assert(/windows-1252/i.test(dialect) && /semicolon/.test(dialect) && /decimal “,”/.test(dialect), `detected dialect shown: ${dialect}`);
  assert(await page.locator('[data-testid=column][data-column="Was möchten Sie erledigen?"]').count() === 1, 'umlauts decoded');
  const kind = async (col) => page.textContent(`[data-testid=column][data-column="${col}"] .kind`);
  assert(/money|amount|decimal|number|count/.test(await kind('Umsatz')), `Umsatz is a number: ${await kind('Umsatz')}`);

  await openChoices(page);
  const delimiter = page.locator('[data-testid=delimiter-select]');
  assert(/found semicolon/.test(await delimiter.locator('option').first().textContent()), 'the select says what was detected');
  // Force the comma: the file now reads as one wrong column per semicolon group.
  await openChoices(page);
  await delimiter.selectOption(',');
  await page.waitForFunction(() => !document.querySelector('[data-testid=column][data-column="Umsatz"]'), null, { timeout: 30000 });
  await settled(page);
  assert(/comma/.test(await page.textContent('.check .dialect')), 'the dialect line shows the choice');
  // Back to semicolons, with the decimal separator overridden to a dot.
  await openChoices(page);
  await page.locator('[data-testid=delimiter-select]').selectOption(';');
  await page.waitForSelector('[data-testid=column][data-column="Umsatz"]', { timeout: 30000 });
  await openChoices(page);
  await page.locator('[data-testid=decimal-select]').selectOption('dot');
  await page.waitForFunction(() => /decimal “\.”/.test(document.querySelector('.check .dialect').textContent), null, { timeout: 30000 });
  await settled(page);
  // Encoding override: reading as UTF-8 turns the umlauts into replacement characters.
  await openChoices(page);
  await page.locator('[data-testid=encoding-select]').selectOption('UTF-8');
  await page.waitForFunction(() => /UTF-8/.test(document.querySelector('.check .dialect').textContent), null, { timeout: 30000 });
  await settled(page);
  assert(await page.locator('[data-testid=column][data-column="Was möchten Sie erledigen?"]').count() === 0, 'the header now reads differently');
  // Header override: the first row becomes data.
  await openChoices(page);
  await page.locator('[data-testid=encoding-select]').selectOption('');
  await page.waitForFunction(() => /windows-1252/i.test(document.querySelector('.check .dialect').textContent), null, { timeout: 30000 });
  await settled(page);
  await openChoices(page);
  await page.locator('[data-testid=header-select]').selectOption('no');
  await page.waitForFunction(() => /no header row/.test(document.querySelector('.check .dialect').textContent), null, { timeout: 30000 });
  await settled(page);
  const summary = await page.textContent('.check .summary-line');
  assert(summary.includes('241 people'), `with no header row, all 241 lines are people: ${summary}`);
}
