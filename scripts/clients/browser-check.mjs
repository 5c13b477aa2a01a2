// GraphiQL in a real browser (Debian's Chromium, driven by playwright-core) against a running
// `serve --demo`, with every request beyond 127.0.0.1 refused and recorded: the page must render
// its editor from the server's own assets, run a query, and run a subscription over the page's
// WebSocket with a demo token chosen in the token bar.
// Usage: node browser-check.mjs BANNER_FILE   (the server's standard error, JSON lines)
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const banner = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l));
const base = banner.find((l) => l.banner === 'serving').url.replace(/\/graphql$/, '');
const tokens = Object.fromEntries(
  banner.filter((l) => l.banner === 'demo_token').map((l) => [l.department, l.token])
);
// A subject that the court has not listed yet, so that its listing makes dispatches.
const sample = banner.find(
  (l) => l.banner === 'demo_sample' && l.listType !== 'court-dishonest-debtor'
).code;
const fail = (message) => {
  console.error(`browser check: ${message}`);
  process.exit(1);
};
const post = async (query, variables, token) => {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const outside = [];
const failures = [];
try {
  const context = await browser.newContext();
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && failures.push(`console: ${m.text()}`));
  const sockets = [];
  page.on('websocket', (ws) => {
    sockets.push(ws.url());
    if (new URL(ws.url()).hostname !== '127.0.0.1') outside.push(ws.url());
  });

  // 1. A query typed into the page's address, run with the editor's button.
  const query = `{ subject(code: "${sample}") { code name } }`;
  await page.goto(`${base}/?query=${encodeURIComponent(query)}`);
  await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 30000 });
  const typed = await page.locator('.graphiql-query-editor').innerText();
  if (!typed.includes('subject(code:')) fail(`the editor does not show the query: ${typed}`);
  await page.click('.graphiql-execute-button');
  const result = page.locator('.result-window');
  await result.filter({ hasText: sample }).waitFor({ timeout: 20000 });
  const answer = await result.innerText();
  if (!answer.includes('"name"')) fail(`no answer in the result pane: ${answer}`);
  console.log(`browser check: the query ran in GraphiQL (${sample})`);

  // 2. A subscription with the finance bureau's demo token, fed by a listing made meanwhile.
  await page.goto(
    `${base}/?query=${encodeURIComponent('subscription { dispatchCreated { id measure { code } } }')}`
  );
  await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 30000 });
  await page.getByRole('button', { name: '210900.finance', exact: true }).click();
  await page.waitForSelector('.graphiql-query-editor .CodeMirror', { timeout: 30000 });
  await page.click('.graphiql-execute-button');
  // The subscription is open once the page's socket is; then the court lists the sample.
  for (let i = 0; i < 100 && sockets.length === 0; i++) await page.waitForTimeout(100);
  if (sockets.length === 0) fail('GraphiQL opened no WebSocket for the subscription');
  await page.waitForTimeout(500);
  const listed = await post(
    'mutation($input: AddListEntryInput!) { addListEntry(input: $input) { entry { id } } }',
    { input: { subject: sample, listType: 'court-dishonest-debtor', reason: '拒不履行生效判决',
      basisDocument: '(2026)辽09执1号', idempotencyKey: `browser-${Date.now()}` } },
    tokens['210900.court']
  );
  if (listed.errors) fail(`the listing that feeds the subscription failed: ${JSON.stringify(listed.errors)}`);
  await result.filter({ hasText: 'dispatchCreated' }).waitFor({ timeout: 20000 });
  console.log('browser check: a subscription ran in GraphiQL over its WebSocket');
} catch (e) {
  failures.push(String(e));
} finally {
  await browser.close();
}
if (outside.length) fail(`the page reached beyond 127.0.0.1: ${[...new Set(outside)].join(', ')}`);
if (failures.length) fail(failures.join('\n'));
console.log('browser check: passed, no request left 127.0.0.1');
