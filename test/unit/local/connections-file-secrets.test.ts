import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConnectionsFile } from '#infra/local/runtime/connections.ts';
import { parseJsonBytes } from '#shared/json-text.ts';

/**
 * A connections file holds credentials: a mistake in it (a credential left
 * unquoted, the file saved as a folder or by a Windows editor) is named by
 * where it is, never by quoting the text around it, which would print part
 * of the credential to the terminal and to CI logs.
 */

const SECRET = 'sk_live_SECRET123';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'connections-file-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const CONNECTIONS = {
  crm: {
    baseUrl: 'https://crm.example.com',
    auth: { type: 'apiKey', header: 'x-api-key', value: SECRET },
  },
};

async function problemOf(name: string, content: string | undefined): Promise<string> {
  const file = join(dir, name);
  if (content === undefined) await mkdir(file);
  else await writeFile(file, content);
  return readConnectionsFile(file).then(
    () => 'read',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

describe('a connections file with a mistake', () => {
  it('is named with its line and column, and no part of a credential left unquoted', async () => {
    // arrange: the credential pasted without its quotes
    const text = JSON.stringify(CONNECTIONS, null, 2).replace(`"${SECRET}"`, SECRET);
    // act
    const problem = await problemOf('unquoted.json', text);
    // assert
    expect(problem).toBe(
      `${join(dir, 'unquoted.json')}: not valid JSON: Unexpected token 's' at line 7, column 16`,
    );
  });

  it('that is a folder is named in words', async () => {
    // act
    const problem = await problemOf('folder.json', undefined);
    // assert
    expect(problem).toBe(`${join(dir, 'folder.json')}: is a folder, not a file`);
  });

  it('is none when saved with a byte order mark: its connections are read', async () => {
    // act
    const connections = await readConnectionsFile(
      await writeFile(join(dir, 'bom.json'), `\uFEFF${JSON.stringify(CONNECTIONS)}`).then(() =>
        join(dir, 'bom.json'),
      ),
    );
    // assert
    expect([...connections.keys()]).toStrictEqual(['crm']);
  });
});

describe('any JSON file with a syntax error', () => {
  it('is described without the text around the mistake, whatever the parser quotes', () => {
    // arrange: an unexpected token near the start, and one deep in a long line
    const texts = [`{"value": ${SECRET}}`, `{"baseUrl": "https://crm.example.com", "value": ${SECRET}}`];
    // act
    const messages = texts.map((text) => {
      const read = parseJsonBytes(new TextEncoder().encode(text));
      return read.ok ? 'parsed' : read.message;
    });
    // assert
    expect(messages).toStrictEqual([
      "not valid JSON: Unexpected token 's' at line 1, column 11",
      "not valid JSON: Unexpected token 's' at line 1, column 49",
    ]);
  });
});
