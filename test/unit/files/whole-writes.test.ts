import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * A disk that fills up part way through a write: the file system's writeFile
 * writes the first half of the text, then fails with ENOSPC (fault injection;
 * every other call is the real one).
 */
const full = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const writeFile: typeof fs.writeFile = async (path, data, options) => {
    if (!full.on || typeof data !== 'string') return fs.writeFile(path, data, options);
    await fs.writeFile(path, data.slice(0, data.length / 2), options);
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { ...fs, writeFile, default: { ...fs, writeFile } };
});

// Loaded afresh, so it writes through the file system above even where test files share their modules.
vi.resetModules();
const { writeOutputFile, writeWhole } = await import('#infra/cli/files.ts');

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whole-writes-'));
  full.on = false;
});
afterEach(async () => {
  full.on = false;
  await rm(dir, { recursive: true, force: true });
});

describe('files a command writes are whole or untouched', () => {
  it('writeOutputFile that fails part way leaves the file as it was, and no temporary file beside it', async () => {
    // arrange
    const path = join(dir, 'report.html');
    await writeFile(path, '<p>last week</p>');
    full.on = true;
    // act
    const error = await writeOutputFile(path, '<p>this week, a longer report</p>').catch((e: unknown) => e);
    // assert
    expect(String(error)).toBe(`Error: cannot write ${path}: ENOSPC`);
    expect(await readFile(path, 'utf8')).toBe('<p>last week</p>');
    expect(await readdir(dir)).toStrictEqual(['report.html']);
  });

  it('writeWhole create that fails part way leaves no file at all', async () => {
    // arrange
    const path = join(dir, 'cart.json');
    full.on = true;
    // act
    const error = await writeWhole(path, '{"id":"cart"}\n', 'create').catch((e: unknown) => e);
    // assert
    expect(error).toMatchObject({ code: 'ENOSPC' });
    expect(await readdir(dir)).toStrictEqual([]);
  });

  it('writeWhole create never replaces a file that exists', async () => {
    // arrange
    const path = join(dir, 'cart.json');
    await writeFile(path, 'edited by hand');
    // act
    const error = await writeWhole(path, 'imported', 'create').catch((e: unknown) => e);
    // assert
    expect(error).toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('edited by hand');
    expect(await readdir(dir)).toStrictEqual(['cart.json']);
  });

  it('names a path under a file as such, not by its system error code', async () => {
    // arrange
    await writeFile(join(dir, 'notes.txt'), 'a file');
    const path = join(dir, 'notes.txt', 'out.json');
    // act
    const error = await writeOutputFile(path, '{}').catch((e: unknown) => e);
    // assert
    expect(String(error)).toBe(
      `Error: cannot write ${path}: a part of ${join(dir, 'notes.txt')} is a file, not a folder`,
    );
  });

  it('writes the whole text when the disk has room', async () => {
    // arrange
    const path = join(dir, 'out.json');
    await writeFile(path, 'old');
    // act
    await writeOutputFile(path, 'new text');
    await writeWhole(join(dir, 'new.json'), 'created', 'create');
    // assert
    expect(await readFile(path, 'utf8')).toBe('new text');
    expect(await readFile(join(dir, 'new.json'), 'utf8')).toBe('created');
    expect((await readdir(dir)).sort()).toStrictEqual(['new.json', 'out.json']);
  });
});
