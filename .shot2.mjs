import { chromium } from 'playwright-core';
const [,, url, out, w, h] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const p = await b.newPage({ viewport: { width: Number(w ?? 1300), height: Number(h ?? 900) } });
await p.goto(url);
const dims = await p.evaluate(() => ({ sw: document.documentElement.scrollWidth, bw: document.body.scrollWidth }));
console.log(JSON.stringify(dims));
await p.screenshot({ path: out, fullPage: false }); await b.close();
