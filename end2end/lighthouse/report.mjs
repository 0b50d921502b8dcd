// Lighthouse (mobile preset, its default throttling) against a running
// Latchkey, in Debian's Chromium (CHROME_PATH), never a downloaded browser.
// Usage: node report.mjs BASE_URL SESSION_COOKIE
// Prints the four category scores, LCP and bytes transferred for each page;
// writes each full report to reports/<page>.json. Exits non-zero when a
// page misses a target (performance >= 95, accessibility 100, LCP < 2.5 s,
// first load < 250 KB).
import fs from 'node:fs';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const [base, cookie] = process.argv.slice(2);
const pages = [
  { path: '/login' },
  { path: '/signup' },
  { path: '/password-reset' },
  { path: '/profile', cookie },
];
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  chromeFlags: [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
fs.mkdirSync(new URL('./reports/', import.meta.url), { recursive: true });
const rows = [];
let missed = false;
try {
  for (const page of pages) {
    const flags = {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
      extraHeaders: page.cookie ? { Cookie: page.cookie } : undefined,
    };
    const result = await lighthouse(base + page.path, flags);
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new Error(`${page.path}: ${lhr.runtimeError.message}`);
    if (page.cookie && !lhr.finalDisplayedUrl.endsWith(page.path)) {
      throw new Error(`${page.path}: not signed in (landed on ${lhr.finalDisplayedUrl})`);
    }
    const name = page.path.replace(/\//g, '') || 'home';
    fs.writeFileSync(new URL(`./reports/${name}.json`, import.meta.url), result.report);
    const score = (c) => Math.round(lhr.categories[c].score * 100);
    const row = {
      page: page.path,
      performance: score('performance'),
      accessibility: score('accessibility'),
      'best-practices': score('best-practices'),
      seo: score('seo'),
      'LCP s': (lhr.audits['largest-contentful-paint'].numericValue / 1000).toFixed(2),
      'TBT ms': Math.round(lhr.audits['total-blocking-time'].numericValue),
      'KB transferred': (lhr.audits['total-byte-weight'].numericValue / 1024).toFixed(1),
      // what the page needs before the wasm, which loads once the page is idle
      'KB before wasm': (lhr.audits['network-requests'].details.items
        .filter((r) => !/\/pkg\/[^/]+\.(wasm|js)$/.test(new URL(r.url).pathname))
        .reduce((n, r) => n + (r.transferSize || 0), 0) / 1024).toFixed(1),
    };
    rows.push(row);
    if (row.performance < 95 || row.accessibility < 100 || Number(row['LCP s']) >= 2.5
        || Number(row['KB transferred']) >= 250) missed = true;
  }
} finally {
  await chrome.kill();
}
console.table(rows);
console.log(missed ? 'MISS: a page misses a target (performance >= 95, accessibility 100, LCP < 2.5 s, < 250 KB)'
  : 'PASS: every page meets performance >= 95, accessibility 100, LCP < 2.5 s, < 250 KB');
process.exit(missed ? 1 : 0);
