import { chromium } from 'playwright-core';
const [,, url, out, w] = process.argv;
const b = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const p = await b.newPage({ viewport: { width: Number(w ?? 1300), height: 900 } });
await p.goto(url); await p.screenshot({ path: out, fullPage: true }); await b.close();
