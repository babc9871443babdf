// Issue 3: two exports (a survey and a CRM export whose emails differ in case and spacing)
// dropped together become one joined table, with the match rate shown and nobody lost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settled, dropFiles, exportCsv, parseCsv, assert } from './helpers.mjs';

export const name = 'a survey and a CRM export are joined on email, with the match rate shown';

export default async function ({ page, baseUrl, root }) {
  const survey = readFileSync(join(root, 'assets/example/example-survey.csv'));
  const crm = readFileSync(join(root, 'assets/example/example-crm.csv'));
  const surveyRows = parseCsv(survey.toString('utf8'));
  const crmRows = parseCsv(crm.toString('utf8'));
  // The fixture really differs in case: some survey emails are not byte-equal to any CRM email.
  const crmEmails = new Set(crmRows.slice(1).map((r) => r[1]));
  const differing = surveyRows.slice(1).filter((r) => !crmEmails.has(r[0])).length;
  assert(differing > 50, `the survey writes many emails differently (${differing})`);

  await page.goto(baseUrl);
  await dropFiles(page, [{ name: 'survey.csv', bytes: survey }, { name: 'crm.csv', bytes: crm }]);
  assert(await settled(page) === 'done', await page.textContent('[data-testid=status]'));
  const joinText = (await page.textContent('[data-testid=join]')).trim();
  const nSurvey = surveyRows.length - 1;
  const nCrm = crmRows.length - 1;
  // Every survey respondent is a customer: all of them match once case and spaces are ignored.
  const m = joinText.match(/(\d[\d,]*) of (\d[\d,]*) people matched \((\d+(?:\.\d+)?) ?%\)/);
  assert(m, `the join line gives the match rate: ${joinText}`);
  const matched = Number(m[1].replace(/,/g, ''));
  const of = Number(m[2].replace(/,/g, ''));
  assert(/Email/.test(joinText), `joined on the email columns: ${joinText}`);
  assert(matched === nSurvey && (of === nSurvey || of === nCrm), `${matched} of ${of} matched; survey has ${nSurvey}, CRM ${nCrm}`);
  const summary = await page.textContent('.check .summary-line');
  assert(summary.includes(`${nCrm.toLocaleString('en')} people`), `one row per customer, nobody lost: ${summary}`);

  // The export has one row per CRM customer (unmatched kept, none multiplied) and the columns of both files.
  const { text } = await exportCsv(page);
  const rows = parseCsv(text);
  assert(rows.length - 1 === nCrm, `export rows ${rows.length - 1} = customers ${nCrm}`);
  for (const col of ['Customer ID', 'Orders (12 months)', 'What are you trying to get done when you shop with us?']) {
    assert(rows[0].includes(col), `export has ${col}`);
  }
}
