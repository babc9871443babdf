// A survey tool's export as it comes: SurveyMonkey's second header row of options and grid
// rows, Qualtrics' rows of question texts and import ids. They name the columns, nobody is
// a header row, and an option ticked in its own column is an answer, not a constant.
import { settled, toCsv, assert } from './helpers.mjs';

export const name = 'survey tools\u2019 header rows name the columns and are not respondents';

const goals = ['save money on the weekly shop', 'invoices with VAT for the office', 'gluten free bread for my son', 'late night delivery after my shift'];
const levels = ['Not at all important', 'Slightly important', 'Very important', 'Extremely important'];

function surveyMonkey(n) {
  const rows = [
    ['Respondent ID', 'Collector ID', 'What are you trying to get done?', 'How important is each of these to you?', '', 'Which of these do you buy? (Select all that apply)', '', ''],
    ['', '', 'Open-Ended Response', 'Get my delivery on time', 'Find food for my diet', 'Fresh', 'Bakery', 'Household'],
  ];
  for (let i = 0; i < n; i++) {
    rows.push([String(11400 + i), '4000', goals[i % 4], levels[i % 4], levels[(i >> 2) % 4],
      i % 3 === 0 ? 'Fresh' : '', i % 4 === 1 ? 'Bakery' : '', i % 5 < 2 ? 'Household' : '']);
  }
  return toCsv(rows);
}

function qualtrics(n) {
  const ids = ['startDate', '_recordId', 'QID1_TEXT', 'QID2_1', 'QID2_2'];
  const rows = [
    ['StartDate', 'ResponseId', 'Q1', 'Q2_1', 'Q2_2'],
    ['Start Date', 'Response ID', 'What are you trying to get done?', 'How important is it to you to... - get my delivery on time', 'How satisfied are you with how well we... - get my delivery on time'],
    ids.map((id) => JSON.stringify({ ImportId: id })),
  ];
  for (let i = 0; i < n; i++) {
    rows.push([`2026-10-${String(1 + (i % 28)).padStart(2, '0')} 09:00:00`, `R_${i}`, goals[i % 4], String(1 + (i % 5)), String(1 + ((i >> 1) % 5))]);
  }
  return toCsv(rows);
}

async function columns(page) {
  return page.$$eval('[data-testid=column]', (els) => els.map((e) => [e.dataset.column, e.dataset.role]));
}

export default async function ({ page, baseUrl }) {
  await page.goto(baseUrl);
  await page.setInputFiles('[data-testid=file-input]', { name: 'monkey.csv', mimeType: 'text/csv', buffer: Buffer.from(surveyMonkey(300)) });
  assert((await settled(page)) === 'done', 'the SurveyMonkey export is analysed');
  let summary = await page.textContent('.check .summary-line');
  assert(summary.includes('300 people'), `the row of options is nobody: ${summary}`);
  assert(/2 header rows/.test(await page.textContent('.check .dialect')), 'the check screen says the file has 2 header rows');
  let cols = Object.fromEntries(await columns(page));
  const fresh = 'Which of these do you buy? (Select all that apply) — Fresh';
  assert(cols[fresh] === 'stated', `a ticked option is what they say: ${JSON.stringify(cols)}`);
  assert(cols['Which of these do you buy? (Select all that apply) — Household'] === 'stated', 'an option called “Household” is no demographic');
  assert(cols['How important is each of these to you? — Get my delivery on time'] === 'stated', 'a grid row joins its question');

  await page.goto(baseUrl);
  await page.setInputFiles('[data-testid=file-input]', { name: 'qualtrics.csv', mimeType: 'text/csv', buffer: Buffer.from(qualtrics(300)) });
  assert((await settled(page)) === 'done', 'the Qualtrics export is analysed');
  summary = await page.textContent('.check .summary-line');
  assert(summary.includes('300 people'), `neither the question texts nor the import ids are people: ${summary}`);
  assert(/3 header rows/.test(await page.textContent('.check .dialect')), 'the check screen says the file has 3 header rows');
  cols = Object.fromEntries(await columns(page));
  assert('What are you trying to get done?' in cols, `the question texts name the columns: ${JSON.stringify(Object.keys(cols))}`);
  assert(!('Q1' in cols), 'not the short ids');
}
