import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every local server binds through infra/local/runtime/listen.ts, which puts
 * the Host and Origin guard in front of it (loopback-hosts.ts): a server
 * that calls `listen` itself answers any web page that rebinds its name to
 * 127.0.0.1. (The SES emulator binds inside its library, on a socket file
 * rather than a port: loopback-only.test.ts checks no port of it goes unguarded.)
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const BINDS = 'infra/local/runtime/listen.ts';
/** A call that binds a port: `server.listen(0, …)`, `.listen(port, …)`, `.listen({ port })`. */
const LISTEN = /\.listen\(\s*(?:\d|port\b|\{)/;

async function infraSources(): Promise<string[]> {
  const entries = await readdir(join(root, 'infra'), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((path) => !path.includes('node_modules'));
}

describe('local servers', () => {
  it('bind a port only through listen.ts, which guards them', async () => {
    const binding: string[] = [];
    for (const path of await infraSources()) {
      if (path === BINDS) continue;
      const text = await readFile(join(root, path), 'utf8');
      if (LISTEN.test(text)) binding.push(path);
    }
    expect(binding).toEqual([]);
  });
});
