// A registrar's day on the workbench, in Debian's chromium (headless), with axe on every page.
// Run by tests/api/browser.rs against the app it serves; BASE_URL, PASSWORD, IMPORT_FILE,
// SCREENSHOTS and IDLE_SECONDS come from there. Any failed check throws: the process exits non-zero.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

const BASE = process.env.BASE_URL;
const PASSWORD = process.env.PASSWORD;
const SHOTS = process.env.SCREENSHOTS;
const IDLE = Number(process.env.IDLE_SECONDS);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});

function ok(cond, what) {
  if (!cond) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
}

const audited = new Set();
// Script errors and refused resources (a CSP violation is one) on any page fail the walk.
const pageProblems = [];

async function session(name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  // A refusal the walk asks for (401, 403, 409, 422) is logged by chromium too: not a problem.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of (401|403|409|422)/.test(m.text())) pageProblems.push(`${name}: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageProblems.push(`${name}: ${e.message}`));
  return { context, page };
}

async function axe(page, what) {
  const key = `${what}`;
  if (audited.has(key)) return;
  audited.add(key);
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const detail = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  ok(bad.length === 0, `axe finds no serious or critical violation on ${what}${detail.length ? `: ${detail.join('; ')}` : ''}`);
}

/// Whether the focus reaches the element of this id within a second, once htmx has settled the
/// swap (it focuses the `autofocus` element when it settles).
async function focusOn(page, id) {
  return page.waitForFunction((id) => document.activeElement?.id === id
    && !document.querySelector('.htmx-settling, .htmx-added, .htmx-swapping, .htmx-request'), id, { timeout: 2000 })
    .then(() => true, () => false);
}

/// Waits until a picker's list has answered what was typed last (its first option starts with `code`).
async function optionsFor(page, field, code) {
  // htmx marks content it is still settling; the buttons act once it is done.
  await page.waitForFunction(([field, code]) => {
    const list = document.querySelector(`#${field}-options`);
    return list?.querySelector('button')?.textContent.trim().startsWith(code)
      && !document.querySelector('.htmx-settling, .htmx-added, .htmx-swapping, .htmx-request');
  }, [field, code], { timeout: 5000 }).catch(() => {});
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

async function signIn(page, name) {
  await page.goto(`${BASE}/sign-in`);
  await page.fill('#name', name);
  await page.fill('#password', PASSWORD);
  await page.press('#password', 'Enter');
  await page.waitForURL(`${BASE}/`);
}

// --- sign in -------------------------------------------------------------------------------
const { context: ritaContext, page } = await session('registrar');
await page.goto(`${BASE}/`);
ok(page.url().startsWith(`${BASE}/sign-in`), 'a page without a session sends the person to sign in');
await axe(page, 'sign-in');
await page.fill('#name', 'rita');
await page.fill('#password', 'not the password');
await page.press('#password', 'Enter');
ok((await text(page, '[role=alert]')).includes('The user name or the password is wrong'), 'a wrong password is refused in plain words');
await signIn(page, 'rita');
ok((await text(page, 'h1')) === 'My queues', 'the registrar lands on the home page');
const queues = await text(page, '.queues');
for (const q of ['Follow-up due this month', 'Follow-up overdue', 'Lost to follow-up', 'Tumors with edit errors', 'Letters to print', 'Imports with rejected records']) {
  ok(queues.includes(q), `home shows the queue "${q}"`);
}
ok(/\d+\s*Letters to print/.test(queues) && !/^0\s*Letters to print/m.test(queues), 'the letters to print are counted');
await page.screenshot({ path: `${SHOTS}/home.png` });
await axe(page, 'home');

// --- find a patient ------------------------------------------------------------------------
await page.getByRole('link', { name: 'Patients', exact: true }).click();
await axe(page, 'patients');
await page.fill('#name', 'Abernathy');
await page.press('#name', 'Enter');
await page.waitForURL(`${BASE}/patients/search`);
const found = await text(page, 'table');
ok(found.includes('Abernathy, Ruth') && found.includes('C18.7 Sigmoid colon'), 'the search lists the patient with her tumor in words');
await axe(page, 'patient search results');
await page.getByRole('link', { name: 'Abernathy, Ruth' }).click();
ok((await text(page, 'h1')) === 'Abernathy, Ruth', 'the patient page opens');
const patientUrl = page.url();
ok(!patientUrl.includes('Abernathy') && !patientUrl.includes('8301'), 'no name or number in the address');
await axe(page, 'patient page');

// --- abstract a new breast tumor with the keyboard -----------------------------------------
await page.getByRole('link', { name: 'Abstract a new tumor' }).focus();
await page.keyboard.press('Enter');
await page.waitForURL(/\/tumors\/new$/);
await axe(page, 'abstract editor (new)');
await page.locator('#primarySite').focus();
await page.keyboard.type('upper outer');
await optionsFor(page, 'primarySite', 'C50.4');
await page.keyboard.press('Tab');
ok((await page.evaluate(() => document.activeElement.textContent.trim())).startsWith('C50.4 Upper-outer quadrant of breast'),
  'typing words in the site picker offers C50.4 Upper-outer quadrant of breast first, reached with Tab');
await axe(page, 'abstract editor with the site picker open');
await page.keyboard.press('Enter');
await page.waitForFunction(() => document.querySelector('#primarySite')?.value === 'C50.4');
ok((await text(page, '#primarySite-chosen')) === 'Upper-outer quadrant of breast', 'the picked site is shown in words');
ok(await focusOn(page, 'primarySite'), 'the focus comes back to the site field');
await page.keyboard.press('Tab'); // laterality, left for later
await page.keyboard.press('Tab'); // histology and behavior
ok(await page.evaluate(() => document.activeElement.id === 'morphology'), 'Tab reaches the morphology picker');
await page.keyboard.type('infiltrating duct');
await optionsFor(page, 'morphology', '8500/3');
await page.keyboard.press('Tab');
const offered = await page.evaluate(() => `${document.activeElement.textContent.trim()}|${document.activeElement.outerHTML.slice(0, 200)}`);
ok(offered.split('|')[0].startsWith('8500/3 Infiltrating duct carcinoma'), `the morphology picker offers 8500/3 Infiltrating duct carcinoma first${offered.startsWith('8500/3') ? '' : ` (${offered})`}`);
await page.keyboard.press('Enter');
await page.waitForFunction(() => document.querySelector('#morphology')?.value === '8500/3');
ok(await focusOn(page, 'morphology'), 'the focus comes back to the morphology field');
await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]); // submits the form from the field
const saved = /\/tumors\/[0-9a-f-]+\?saved=1$/.test(page.url());
ok(saved, `the incomplete abstract is saved${saved ? '' : `: ${await text(page, 'main')}`}`);
const tumorUrl = page.url().replace('?saved=1', '');
let notice = await text(page, '[role=status]');
ok(notice.startsWith('Saved.') && notice.includes('left to fix or accept'), `the incomplete abstract is kept and says what is left: "${notice}"`);
const beside = await text(page, '.finding[data-field=dateOfDiagnosis]');
ok(beside.includes('date of diagnosis'), `the finding is shown beside the date of diagnosis: "${beside}"`);
await page.screenshot({ path: `${SHOTS}/abstract-editor.png`, fullPage: true });
await axe(page, 'abstract editor with findings');

// A value that cannot be one is refused beside its field; nothing is written.
await page.fill('#laterality', '7');
await page.fill('#dateOfDiagnosis', '2026-02-30');
await Promise.all([page.waitForNavigation(), page.press('#dateOfDiagnosis', 'Enter')]);
ok((await text(page, '[role=alert]')).startsWith('Nothing was saved'), 'a value that cannot be a value is refused, nothing saved');
ok((await page.locator('.finding[data-field=dateOfDiagnosis]').count()) > 0, 'the refusal is shown beside the date of diagnosis');
ok((await page.inputValue('#dateOfDiagnosis')) === '2026-02-30', "the registrar's input is kept to correct");
await axe(page, 'abstract editor with a refused value');

// Fix it: every core item coded.
for (const [field, value] of [['dateOfDiagnosis', '2025-03-02'], ['laterality', '2'], ['sequenceNumberHospital', '02'],
  ['classOfCase', '14'], ['dateOf1stContact', '2025-03-02'], ['diagnosticConfirmation', '6'],
  ['gradeClinical', '2'], ['gradePathological', '2'], ['summaryStage2018', '1']]) {
  await page.fill(`#${field}`, value);
}
await Promise.all([page.waitForNavigation(), page.press('#summaryStage2018', 'Enter')]);
notice = await text(page, '[role=status]');
let left = await page.locator('.finding').allInnerTexts();
ok(left.length === 1 && left[0].includes('microscopic confirmation') && (await page.locator('.finding.review').count()) === 1,
  `what is left is one review finding (direct visualization of a specific histology): ${left.join(' | ')}`);
await axe(page, 'abstract editor with a review to accept');
// Accepting a review needs its reason.
await page.getByRole('checkbox', { name: /Accept: .*microscopic confirmation/ }).check();
await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save', exact: true }).click()]);
ok((await text(page, '[role=alert]')).includes('give the reason'), 'accepting a review without a reason is refused');
await page.getByRole('checkbox', { name: /Accept: .*microscopic confirmation/ }).check();
await page.fill('#reason_overRideHistology', 'Mammogram and clinical exam; biopsy declined by the patient');
await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save', exact: true }).click()]);
notice = await text(page, '[role=status]');
left = await page.locator('.finding').allInnerTexts();
ok(notice === 'Saved. The abstract passes every edit.', `with the review accepted the abstract passes every edit: "${notice}" ${left.join(' | ')}`);
// What the multiple-primary rules say about the new tumor among the patient's others.
const primaries = await text(page, '#primaries');
ok(/new primary; its suggested sequence number is \d\d/.test(primaries) && primaries.includes('The rules say'),
  `the editor says what the multiple-primary rules find, in words: "${primaries}"`);

// First-course treatment from the editor.
await page.selectOption('#modality', 'hormone');
await page.fill('#treatment_code', '01');
await page.fill('#start_date', '2025-03-20');
await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Add treatment' }).click()]);
const added = (await page.locator('#treatment table').count()) > 0 && (await text(page, '#treatment table')).includes('2025-03-20');
ok(added, `the treatment is added${added ? '' : `: ${await text(page, 'main')}`}`);

// Another registrar saves first: the stale save keeps this one's input and shows theirs.
const other = await ritaContext.newPage();
await other.goto(tumorUrl);
await page.goto(tumorUrl);
await other.fill('#gradeClinical', '3');
await Promise.all([other.waitForNavigation(), other.press('#gradeClinical', 'Enter')]);
await page.fill('#gradeClinical', '1');
await Promise.all([page.waitForNavigation(), page.press('#gradeClinical', 'Enter')]);
ok((await text(page, '[role=alert]')).startsWith('Someone else saved this tumor'), 'a stale save says another registrar saved first');
ok((await page.inputValue('#gradeClinical')) === '1', "the registrar's own input is kept");
ok((await page.locator('.finding.review', { hasText: 'Now saved as: 3' }).count()) === 1, 'their value is shown beside the field');
await axe(page, 'abstract editor after a stale save');
await other.close();

// --- follow-up worklist --------------------------------------------------------------------
let view = null;
for (const v of ['due', 'overdue']) {
  await page.goto(`${BASE}/worklist?view=${v}`);
  if ((await page.locator('tr', { hasText: 'Brightwater, Lena' }).count()) > 0) { view = v; break; }
}
ok(view !== null, 'the worklist lists the patient due for follow-up, by name');
const row = page.locator('tr', { hasText: 'Brightwater, Lena' });
ok((await row.innerText()).includes('C18.7'), 'the worklist row shows the site in words');
await page.screenshot({ path: `${SHOTS}/worklist.png` });
await axe(page, `worklist (${view})`);
await row.getByRole('button', { name: 'Record contact' }).click();
await page.waitForURL(/done=contact/);
ok((await text(page, '[role=status]')).startsWith('Contact recorded'), 'the contact is recorded from the worklist');
ok((await page.locator('tr', { hasText: 'Brightwater, Lena' }).count()) === 0, 'the task leaves the worklist');
for (const v of ['due', 'overdue', 'lost']) {
  await page.goto(`${BASE}/worklist?view=${v}`);
  await axe(page, `worklist (${v})`);
}
await page.goto(`${BASE}/patients`);
await page.fill('#name', 'Brightwater');
await page.press('#name', 'Enter');
await page.getByRole('link', { name: 'Brightwater, Lena' }).click();
ok((await text(page, '#letters + table')).includes('cancelled'), "the task's queued letter is cancelled");

// --- the day's print batch -----------------------------------------------------------------
await page.goto(`${BASE}/worklist?view=print`);
await axe(page, 'print batch');
const download = page.waitForEvent('download');
await page.getByRole('link', { name: /Download the batch/ }).click();
const pdf = readFileSync(await (await download).path());
ok(pdf.subarray(0, 5).toString() === '%PDF-', `the batch downloads as one PDF (${pdf.length} bytes)`);
await page.getByRole('button', { name: 'Mark the whole batch printed' }).click();
await page.waitForURL(/done=printed/);
ok((await text(page, 'main')).includes('No letter waits to be printed'), 'the batch is marked printed');

// --- a submission --------------------------------------------------------------------------
await page.goto(`${BASE}/submissions`);
await axe(page, 'submissions');
await page.selectOption('#record_type', 'I');
await page.getByRole('button', { name: 'Create the batch' }).click();
await page.waitForURL(/\/submissions\/[0-9a-f-]+\?created=1$/);
ok((await text(page, '[role=status]')).startsWith('The batch is made'), 'the submission batch is made');
await axe(page, 'submission batch');
const file = await page.request.get(`${BASE}${await page.getByRole('link', { name: /\.xml$/ }).getAttribute('href')}`);
ok(file.status() === 200 && (await file.text()).includes('<NaaccrData'), 'the batch file downloads');

// --- an import -----------------------------------------------------------------------------
await page.goto(`${BASE}/imports`);
await axe(page, 'imports');
await page.setInputFiles('#file', process.env.IMPORT_FILE);
await page.getByRole('button', { name: 'Import' }).click();
await page.waitForURL(/\/imports\/[0-9a-f-]+$/);
const report = await text(page, '[role=status]');
ok(report.includes('2 patients') && report.includes('1 rejected'), `the import's report is shown: "${report}"`);
ok((await text(page, 'main')).includes('patientIdNumber'), 'the rejected record says which item is missing');
await axe(page, 'import report');

// --- the other screens ---------------------------------------------------------------------
await page.goto(`${BASE}/edits-review`);
await axe(page, 'edits review');
// Multiple primaries: the batch check from the navigation bar, its filters, a refused year.
await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Primaries' }).click();
await page.getByRole('checkbox', { name: /cannot decide/ }).check();
await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Check' }).click()]);
const checked = await text(page, '[role=status]');
const pairRows = await page.locator('main table tbody tr').count();
ok(/\d+ patients with two or more tumors, \d+ pairs compared/.test(checked) && pairRows > 0,
  `the check lists pairs for review with names and sites: "${checked}" (${pairRows} rows)`);
ok((await text(page, 'main table tbody')).includes('Brightwater, Lena'), 'each pair names its patient');
await axe(page, 'multiple primaries');
await page.fill('#from', '20x1');
await Promise.all([page.waitForNavigation(), page.press('#from', 'Enter')]);
ok((await text(page, '[role=alert]')).includes('not a year'), 'a year that is no year is refused in words');
await page.goto(`${BASE}/reports`);
ok((await page.locator('svg[role=img] rect').count()) > 0, 'the follow-up rate chart is drawn by the server');
await axe(page, 'reports');
await page.getByRole('link', { name: /^\d+$/ }).first().click();
ok((await text(page, 'h1')).startsWith('Line A'), 'a worksheet figure opens its patients');
await axe(page, 'report drill-down');
await page.goto(`${BASE}/patients/new`);
await axe(page, 'new patient');
await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save the patient' }).click()]);
ok((await page.locator('.finding[data-field=patientIdNumber]').count()) === 1, 'a patient without an id number is refused beside the field');
await axe(page, 'new patient refused');
const admin = await page.goto(`${BASE}/admin`);
ok(admin.status() === 403, 'a registrar cannot open the administration');
await axe(page, 'refusal page');

// --- a form post without the session's CSRF token is refused -------------------------------
const noToken = await page.request.post(`${BASE}/patients/new`, { form: { patientIdNumber: '99001' } });
ok(noToken.status() === 403, 'a form post without its CSRF token is refused (403)');
const wrongToken = await page.request.post(`${BASE}/patients/new`, { form: { patientIdNumber: '99001', csrf: 'f'.repeat(64) } });
ok(wrongToken.status() === 403, 'a form post with another token is refused (403)');

// --- sign out ------------------------------------------------------------------------------
await page.goto(`${BASE}/`);
await page.getByRole('button', { name: 'Sign out' }).click();
await page.waitForURL(/\/sign-in\?out=1$/);
await page.goto(`${BASE}/`);
ok(page.url().startsWith(`${BASE}/sign-in`), 'after sign-out the pages ask to sign in again');
await ritaContext.close();

// --- a viewer reads and cannot write -------------------------------------------------------
const { context: vicContext, page: viewer } = await session('viewer');
await signIn(viewer, 'vic');
await axe(viewer, 'home (viewer)');
await viewer.goto(patientUrl);
ok((await viewer.getByRole('link', { name: 'Abstract a new tumor' }).count()) === 0, 'a viewer sees no edit control on the patient page');
await viewer.goto(tumorUrl);
ok((await viewer.getByRole('button', { name: 'Save' }).count()) === 0, 'a viewer sees no save button in the editor');
const token = await viewer.locator('input[name=csrf]').first().inputValue();
const refused = await viewer.request.post(`${patientUrl}/tumors/new`, { form: { csrf: token, primarySite: 'C50.9' } });
ok(refused.status() === 403, 'the server refuses a viewer\'s write (403)');
await vicContext.close();

// --- an administrator ----------------------------------------------------------------------
const { context: adaContext, page: ada } = await session('admin');
await signIn(ada, 'ada');
await ada.getByRole('link', { name: 'Administration' }).click();
await axe(ada, 'administration');
await ada.fill('#user-name', 'new.registrar');
await ada.fill('#user-password', 'another long passphrase');
await ada.getByRole('button', { name: 'Add', exact: true }).click();
await ada.waitForURL(/done=user/);
ok((await text(ada, 'main')).includes('new.registrar'), 'an administrator adds a person');
await adaContext.close();

// --- idle sign-out -------------------------------------------------------------------------
const { context: idleContext, page: idle } = await session('idle');
await signIn(idle, 'rita');
await idle.waitForTimeout((IDLE + 2) * 1000);
await idle.goto(`${BASE}/patients`);
ok(idle.url().startsWith(`${BASE}/sign-in`), `after ${IDLE} s idle the session has ended`);
await idleContext.close();

ok(pageProblems.length === 0, `no script error or refused resource on any page${pageProblems.length ? `: ${pageProblems.join('; ')}` : ''}`);
await browser.close();
console.log(`walk complete: ${audited.size} pages checked with axe`);
