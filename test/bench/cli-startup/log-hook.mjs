// Loader hook of count-modules.mjs: appends the URL of each ES module loaded.
import { appendFileSync } from 'node:fs';

let log = '';
export function initialize(data) {
  log = data.log;
}
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:')) appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
}
