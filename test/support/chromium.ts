import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Headless Chromium for page tests: Debian's `chromium` package (installed by
 * .ci/run), driven by playwright-core. CHROMIUM_PATH overrides the place.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const chromiumPath = CANDIDATES.find((p): p is string => p !== undefined && existsSync(p));

/** Why browser tests cannot run here, printed once, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  if (chromiumPath !== undefined) return undefined;
  const reason = 'Chromium not found (apt-get install chromium, or set CHROMIUM_PATH): browser tests skipped';
  process.stderr.write(`${reason}\n`);
  return reason;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
}
