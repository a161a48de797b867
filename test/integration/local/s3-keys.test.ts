import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Server } from '#infra/local/services/s3/s3.ts';

/** The local bucket is a folder: every key S3 takes that a file can hold works, and no key reaches outside. */

let root: string;
let folder: string;
let s3: Server;
let url: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'journeys-s3-keys-'));
  folder = join(root, 'bucket');
  await mkdir(folder);
  await writeFile(join(root, 'secret.json'), '{"outside":true}');
  s3 = createS3Server('bucket', folder);
  await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(s3.address() as AddressInfo).port}/bucket/journeys`;
});
afterAll(async () => new Promise((resolve) => s3.close(resolve)));

describe('keys of the local bucket', () => {
  it.each(['..x.json', '...json', 'a/..b/c.json', '..%20.json'])(
    'stores, reads and deletes the legal key %s inside the folder',
    async (key) => {
      const put = await fetch(`${url}/${key}`, { method: 'PUT', body: '{"k":1}' });
      expect(put.status).toBe(200);
      const got = await fetch(`${url}/${key}`);
      expect([got.status, await got.text()]).toEqual([200, '{"k":1}']);
      expect((await fetch(`${url}/${key}`, { method: 'DELETE' })).status).toBe(204);
      expect((await fetch(`${url}/${key}`)).status).toBe(404);
    },
  );

  it.each(['../secret.json', '%2E%2E/secret.json', 'a/../../secret.json', '..%2Fsecret.json'])(
    'refuses %s, which leaves the folder, and changes nothing there',
    async (key) => {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const reply = await fetch(`${url}/${key}`, { method, body: method === 'PUT' ? '{}' : undefined });
        expect(reply.status).toBe(404);
      }
      expect(await readFile(join(root, 'secret.json'), 'utf8')).toBe('{"outside":true}');
    },
  );

  it.each(['folder', 'folder/', ''])(
    'answers DELETE of %j, which names a folder and no object, 204 as S3 does, removing nothing',
    async (key) => {
      await mkdir(join(folder, 'folder'), { recursive: true });
      await writeFile(join(folder, 'folder', 'kept.json'), '{}');
      const reply = await fetch(`${url}/${key}`, { method: 'DELETE' });
      expect(reply.status).toBe(204);
      expect(await readdir(join(folder, 'folder'))).toEqual(['kept.json']);
    },
  );

  it('refuses a PUT whose key names a folder, or a folder where a file is, 400 with why, not 500', async () => {
    await mkdir(join(folder, 'taken'), { recursive: true });
    await writeFile(join(folder, 'file.json'), '{}');
    for (const key of ['taken', 'file.json/under.json']) {
      const reply = await fetch(`${url}/${key}`, { method: 'PUT', body: '{}' });
      expect(reply.status).toBe(400);
      expect(await reply.text()).toContain('<Code>InvalidArgument</Code>');
    }
    expect(await readFile(join(folder, 'file.json'), 'utf8')).toBe('{}');
  });
});
