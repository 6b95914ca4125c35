import { chromium } from 'playwright-core';
const base = 'http://127.0.0.1:18090';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('console', m => console.log('console:', m.text()));
await page.goto(base + '/sign-in');
await page.fill('#name', 'reg'); await page.fill('#password', 'registrar-pass-1234');
await page.click('button[type=submit]');
await page.waitForURL(base + '/');
for (const [path, name] of process.argv.slice(2).map(a => a.split('='))) {
  const r = await page.goto(base + path);
  console.log(path, r.status());
  await page.screenshot({ path: `/tmp/w/${name}.png`, fullPage: true });
}
await browser.close();
