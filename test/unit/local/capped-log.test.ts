import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CappedLog, olderPart, readLogLines, replaceLog } from '#infra/local/runtime/capped-log.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journeys-capped-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytesOnDisk = async (file: string) =>
  ((await stat(file).catch(() => undefined))?.size ?? 0) +
  ((await stat(olderPart(file)).catch(() => undefined))?.size ?? 0);

/** Records of uneven sizes, each naming its place in the sequence. */
const record = (n: number) => ({ n, text: 'x'.repeat(20 + ((n * 37) % 200)) });

describe('a capped JSON-lines log', () => {
  it('keeps the newest records, whole and in order, within its byte budget', async () => {
    // arrange: a 16 KB budget, and ten times that written
    const file = join(dir, 'log.jsonl');
    const maxBytes = 16 * 1024;
    const log = new CappedLog(file, maxBytes);
    let written = 0;
    let count = 0;
    // act
    while (written < 10 * maxBytes) {
      const line = record(count);
      written += JSON.stringify(line).length + 1;
      await log.append(line);
      count += 1;
    }
    // assert: within the budget, at least half of it kept, the newest records last and readable
    expect(await bytesOnDisk(file)).toBeLessThanOrEqual(maxBytes);
    expect(await bytesOnDisk(file)).toBeGreaterThanOrEqual(maxBytes / 2);
    const kept = (await readLogLines(file)).map((line) => JSON.parse(line));
    expect(kept.at(-1)).toEqual(record(count - 1));
    expect(kept.map((r) => r.n)).toEqual(kept.map((_, i) => count - kept.length + i));
    expect(kept).toEqual(kept.map((r) => record(r.n)));
  });

  it('writes appends made without waiting in the order they were made', async () => {
    // arrange
    const file = join(dir, 'log.jsonl');
    const log = new CappedLog(file, 4 * 1024);
    // act: 500 appends at once, through many rotations
    await Promise.all(Array.from({ length: 500 }, (_, n) => log.append(record(n))));
    // assert
    const kept = (await readLogLines(file)).map((line) => JSON.parse(line).n);
    expect(kept.at(-1)).toBe(499);
    expect(kept).toEqual(kept.map((_, i) => 500 - kept.length + i));
    expect(await bytesOnDisk(file)).toBeLessThanOrEqual(4 * 1024);
  });

  it('leaves the same files whether its appends were made at once or one after the other', async () => {
    // arrange: records of uneven sizes, some past half the budget, through many rotations
    const records = Array.from({ length: 300 }, (_, n) =>
      n % 97 === 0 ? { n, text: 'z'.repeat(700) } : record(n),
    );
    const apart = join(dir, 'apart.jsonl');
    const together = join(dir, 'together.jsonl');
    const one = new CappedLog(apart, 1024);
    const all = new CappedLog(together, 1024);
    // act
    for (const r of records) await one.append(r);
    await Promise.all(records.map((r) => all.append(r)));
    // assert: byte for byte, both parts
    expect(await readFile(together, 'utf8')).toBe(await readFile(apart, 'utf8'));
    expect(await readFile(olderPart(together), 'utf8')).toBe(await readFile(olderPart(apart), 'utf8'));
  });

  it('keeps a record larger than half its budget alone rather than cutting it', async () => {
    // arrange
    const file = join(dir, 'log.jsonl');
    const log = new CappedLog(file, 1024);
    const big = { text: 'y'.repeat(800) };
    // act
    await log.append(record(1));
    await log.append(big);
    await log.append(record(2));
    // assert: the big one survives whole until the next rotation pushes it out
    expect((await readLogLines(file)).map((line) => JSON.parse(line))).toEqual([big, record(2)]);
  });

  it('is empty when absent, and replaced whole (older part too) after a replay', async () => {
    // arrange
    const file = join(dir, 'log.jsonl');
    expect(await readLogLines(file)).toEqual([]);
    const log = new CappedLog(file, 2048);
    for (let n = 0; n < 100; n += 1) await log.append(record(n));
    // act
    await replaceLog(file, [record(7)]);
    // assert
    expect((await readLogLines(file)).map((line) => JSON.parse(line))).toEqual([record(7)]);
  });

  it('leaves out a record a killed process cut short, and appends the next on a line of its own', async () => {
    // arrange: a runtime killed halfway through an append (a terminal closed, an out-of-memory kill)
    const file = join(dir, 'log.jsonl');
    const before = new CappedLog(file, 64 * 1024);
    await before.append(record(1));
    await appendFile(file, JSON.stringify(record(2)).slice(0, 30));
    // act: what a reader sees, then the next runtime's first append
    const seen = await readLogLines(file);
    await new CappedLog(file, 64 * 1024).append(record(3));
    // assert: every line on disk is a whole record
    expect(seen.map((line) => JSON.parse(line))).toEqual([record(1)]);
    const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
    expect(lines.map((line) => JSON.parse(line))).toEqual([record(1), record(3)]);
  });

  it('keeps a last record written whole without its newline, and appends the next on a line of its own', async () => {
    // arrange: a file written by hand or by another tool
    const file = join(dir, 'log.jsonl');
    await appendFile(file, `${JSON.stringify(record(1))}\n${JSON.stringify(record(2))}`);
    // act
    const seen = await readLogLines(file);
    await new CappedLog(file, 64 * 1024).append(record(3));
    // assert
    expect(seen.map((line) => JSON.parse(line))).toEqual([record(1), record(2)]);
    expect((await readLogLines(file)).map((line) => JSON.parse(line))).toEqual([
      record(1),
      record(2),
      record(3),
    ]);
  });

  it('refuses a budget that is not a positive number of bytes', () => {
    expect(() => new CappedLog(join(dir, 'log.jsonl'), 0)).toThrow(/positive/);
  });
});
