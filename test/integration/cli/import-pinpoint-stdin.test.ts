import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_FILE_BYTES, readJsonStream } from '#infra/cli/files.ts';
import { type CliResult, projectRoot, userEnvironment } from './run-cli.ts';

/** Runs `journeys` in its own process with `input` on its standard input. */
function runWithStdin(args: string[], input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['infra/cli/bin.js', ...args], {
      cwd: projectRoot,
      env: userEnvironment(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

const exported = {
  JourneyResponse: {
    Name: 'Piped welcome',
    StartCondition: { SegmentStartCondition: { SegmentId: 's1' } },
    StartActivity: 'pause',
    Activities: { pause: { Wait: { WaitTime: { WaitFor: 'P1D' } } } },
  },
};

describe('journeys import-pinpoint - (standard input)', () => {
  it('imports the journey piped in, as from a file', async () => {
    // act
    const result = await runWithStdin(['import-pinpoint', '-'], JSON.stringify(exported));
    // assert
    expect(result.stderr).not.toContain('file not found');
    expect(result.code).toBe(0);
    const journey = JSON.parse(result.stdout);
    expect(journey.id).toBe('piped-welcome');
    expect(journey.steps.pause).toStrictEqual({ type: 'wait', for: 'P1D', next: 'end' });
  });

  it('refuses to read standard input twice, naming the options that both ask for it', async () => {
    // act
    const result = await runWithStdin(['import-pinpoint', '-', '--segments', '-'], JSON.stringify(exported));
    // assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'standard input (-) can be read once, but the journeys and --segments both name it',
    );
    expect(result.stdout).toBe('');
  });

  it('names standard input and the line and column when what is piped in is not JSON', async () => {
    // act
    const result = await runWithStdin(['import-pinpoint', '-'], '{"Name": ');
    // assert
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/stdin is not an Amazon Pinpoint journey/);
    expect(result.stderr).toMatch(/line 1, column \d+/);
  });
});

describe('readJsonStream', () => {
  it('refuses a stream larger than a file may be, without reading the rest', async () => {
    // arrange: chunks of 1 MB without end: reading must stop once past the limit
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const count = MAX_JSON_FILE_BYTES / chunk.length + 1;
    let asked = 0;
    const stream = Readable.from(
      (function* () {
        for (;;) {
          asked++;
          yield chunk;
        }
      })(),
    );
    // act
    const read = await readJsonStream(stream);
    // assert
    expect(read).toStrictEqual({
      ok: false,
      message: 'is more than 4 MB; what is read here can be at most that',
    });
    expect(asked).toBeLessThanOrEqual(count + 1);
  });

  it('says when nothing was given', async () => {
    // act
    const read = await readJsonStream(Readable.from([]));
    // assert
    expect(read).toStrictEqual({ ok: false, message: 'is empty: nothing was given on standard input' });
  });
});
