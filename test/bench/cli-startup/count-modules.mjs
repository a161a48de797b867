// Preloaded with `node --import` by the CLI start-up bench: logs every module
// the process loads (ES modules through a loader hook, CommonJS from the
// require cache at exit) and writes how many to the file in MODULE_COUNT_FILE.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';

const out = process.env.MODULE_COUNT_FILE;
if (out) {
  const log = `${out}.urls`;
  writeFileSync(log, '');
  register(new URL('./log-hook.mjs', import.meta.url), { data: { log } });
  process.on('exit', () => {
    const seen = new Set(Object.keys(createRequire(import.meta.url).cache));
    for (const url of readFileSync(log, 'utf8').split('\n')) {
      if (url.startsWith('file:')) seen.add(fileURLToPath(url));
    }
    writeFileSync(out, String(seen.size));
  });
}
