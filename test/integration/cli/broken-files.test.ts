import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_FILE_BYTES } from '#infra/cli/files.ts';
import { projectRoot, runCli } from './run-cli.ts';

const PROCESS_TIMEOUT = 60_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journeys-broken-files-'));
  await mkdir(join(dir, 'folder.json'));
  await writeFile(join(dir, 'latin1.json'), Buffer.from('{"id": "cafe", "name": "Caf\xe9"}', 'latin1'));
  await writeFile(join(dir, 'empty.json'), '');
  await writeFile(join(dir, 'huge.json'), ' '.repeat(MAX_JSON_FILE_BYTES + 1));
  await writeFile(join(dir, 'bom.json'), `\uFEFF${JSON.stringify({ id: 'bom', name: 'BOM' })}`);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('journeys validate on files that are not journeys', () => {
  it('names what is wrong with each file, exit 1', async () => {
    // act
    const result = await runCli([
      'validate',
      '--json',
      ...['folder', 'latin1', 'empty', 'huge', 'bom'].map((f) => join(dir, `${f}.json`)),
    ]);
    // assert
    expect(result.code).toBe(1);
    const report: { files: { file: string; violations: { path: string; message: string }[] }[] } = JSON.parse(
      result.stdout,
    );
    const first = new Map(report.files.map((f) => [f.file.replace(`${dir}/`, ''), f.violations[0]]));
    expect(first.get('folder.json')).toMatchObject({
      path: '(file)',
      message: 'is a folder with no journey file (<id>.json) in it',
    });
    expect(first.get('latin1.json')).toMatchObject({
      path: '(file)',
      message: 'not UTF-8 text (near byte 28, line 1): save it as UTF-8',
    });
    expect(first.get('empty.json')).toMatchObject({
      path: '(file)',
      message: 'empty: a JSON document was expected',
    });
    expect(first.get('huge.json')).toMatchObject({
      path: '(file)',
      message: 'is 4.0 MB; a file read here can be at most 4.0 MB',
    });
    // A byte order mark is read past: the journey itself is what is reported.
    expect(first.get('bom.json')).toMatchObject({ path: 'trigger', message: 'is required' });
  });
});

describe('journeys validate and graph on a file holding control characters', () => {
  it('print each control character as its escape, so the file cannot drive the terminal', async () => {
    // arrange: an escape sequence in a step id, a value and a template the check reads
    const folder = join(dir, 'controls');
    await mkdir(join(folder, 'templates'), { recursive: true });
    const file = join(folder, 'ctl.json');
    await writeFile(
      file,
      JSON.stringify({
        id: 'ctl',
        name: 'Ctl',
        trigger: { type: 'event', event: 'E' },
        settings: { defaultTimezone: 'Mars\u001b[31m' },
        start: 'a',
        steps: {
          a: { type: 'email', template: 'bad\u001b]0;x\u0007', next: 'b' },
          b: { type: 'exit' },
          'c\u001b[2J': { type: 'exit' },
        },
      }),
    );
    await writeFile(
      join(folder, 'templates', 'odd.json'),
      JSON.stringify({ channel: 'email', subject: '{{ x \u009b', html: 'h', text: 't' }),
    );
    // act
    const validated = await runCli(['validate', '--templates', join(folder, 'templates'), file]);
    const drawn = await runCli(['graph', file]);
    // assert
    for (const result of [validated, drawn]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Mars\\u001b[31m');
      expect(result.stdout).toContain('c\\u001b[2J');
      expect(result.stdout).not.toMatch(TERMINAL_CONTROLS);
    }
    expect(validated.stdout).toContain('bad\\u001b]0;x\\u0007');
    expect(validated.stdout).toContain('\\u009b');
  });
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('journeys compile into a pipe its reader closes', () => {
  it(
    'ends quietly, with no stack trace and not with 0',
    async () => {
      // arrange: a journey whose definition is far larger than a pipe's buffer
      const steps: Record<string, unknown> = {};
      for (let i = 0; i < 200; i++) steps[`s${i}`] = { type: 'email', template: 'hello', next: `s${i + 1}` };
      steps.s200 = { type: 'exit' };
      const file = join(dir, 'wide.json');
      await writeFile(
        file,
        JSON.stringify({
          id: 'wide',
          name: 'Wide',
          trigger: { type: 'event', event: 'E' },
          start: 's0',
          steps,
        }),
      );
      // act: read the first chunk, then close the pipe, as `| head -1` does
      const child = spawn(process.execPath, ['infra/cli/bin.js', 'compile', file], { cwd: projectRoot });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      // assert
      expect(stderr).toBe('');
      expect(code).toBe(141);
    },
    PROCESS_TIMEOUT,
  );
});
