import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_BINDINGS } from '#shared/journey/compile/bindings.ts';
import { projectRoot, runCli } from './run-cli.ts';

const journeyFiles = async (): Promise<string[]> =>
  (await readdir(join(projectRoot, 'journeys')))
    .filter((f) => f.endsWith('.json'))
    .map((f) => `journeys/${f}`);

describe('journeys validate', () => {
  it('passes every example journey (the schema file is skipped)', async () => {
    const result = await runCli(['validate', ...(await journeyFiles())]);
    expect(result.stdout).toContain('0 with problems');
    expect(result.code).toBe(0);
  });

  it('fails a broken set, naming every planted problem with its path', async () => {
    const dir = 'test/fixtures/journeys/broken';
    const files = (await readdir(join(projectRoot, dir)))
      .filter((f) => f.endsWith('.json'))
      .map((f) => `${dir}/${f}`);
    const result = await runCli(['validate', '--json', ...files]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.ok).toBe(false);
    const byFile = Object.fromEntries(
      report.files.map((f: { file: string; violations: { path: string }[] }) => [
        f.file.replace(`${dir}/`, ''),
        f.violations.map((v) => v.path),
      ]),
    );
    expect(byFile['split-problems.json']).toEqual(['steps.ab.variants', 'steps.ab.variants[1].name']);
    expect(byFile['start-missing.json']).toEqual(['start']);
    expect(byFile['not-json.json']).toEqual(['(file)']);
    expect(byFile['graph-problems.json']).toHaveLength(8);
  });

  it('prints a human report with the line of a JSON syntax error', async () => {
    const result = await runCli([
      'validate',
      'test/fixtures/journeys/broken/not-json.json',
      'no/such/file.json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not-json\.json: 1 problem\n.*line 4, column 3/);
    expect(result.stdout).toContain('no/such/file.json: 1 problem');
    expect(result.stdout).toContain('file not found');
  });
});

describe('journeys validate: where each problem is written', () => {
  it('prints the line and column of each problem, in the text and in --json', async () => {
    // arrange: a journey written one field a line, as people write them
    const dir = await mkdtemp(join(tmpdir(), 'validate-lines-'));
    const file = join(dir, 'lines.json');
    const journey = {
      id: 'lines',
      name: 'Lines',
      trigger: { type: 'event', event: 'Go' },
      start: 'wait',
      steps: { wait: { type: 'wait', for: '1 day', next: 'done' }, done: { type: 'exit', nxt: 'x' } },
    };
    await writeFile(file, JSON.stringify(journey, null, 2));
    try {
      // act
      const text = await runCli(['validate', file]);
      const json = await runCli(['validate', '--json', file]);
      // assert: "for" is on line 12, column 7; the unknown field's step on line 15
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/\n {4}12:7 +steps\.wait\.for +must be an ISO 8601 duration/);
      expect(text.stdout).toMatch(/\n {4}15:5 +steps\.done +has an unknown field "nxt"/);
      const [report] = JSON.parse(json.stdout).files;
      expect(
        report.violations.map((v: { path: string; line: number; column: number }) => [
          v.path,
          v.line,
          v.column,
        ]),
      ).toStrictEqual([
        ['steps.wait.for', 12, 7],
        ['steps.done', 15, 5],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('journeys validate: what a deploy would refuse or never run', () => {
  it('warns when the file is not named after the journey id, and when a wait always loses to an exit', async () => {
    // arrange: saved as draft.json, and waiting for the event the journey exits on
    const dir = await mkdtemp(join(tmpdir(), 'validate-warnings-'));
    const file = join(dir, 'draft.json');
    const journey = {
      id: 'winback',
      name: 'Winback',
      trigger: { type: 'event', event: 'Go' },
      exitOn: [{ event: 'Order Completed' }],
      start: 'wait',
      steps: {
        wait: {
          type: 'waitForEvent',
          event: 'Order Completed',
          timeout: 'P1D',
          onEvent: 'done',
          onTimeout: 'done',
        },
        done: { type: 'exit' },
      },
    };
    await writeFile(file, JSON.stringify(journey, null, 2));
    try {
      // act
      const text = await runCli(['validate', file]);
      const json = await runCli(['validate', '--json', file]);
      // assert: warnings, not problems: the file is valid
      expect(text.code).toBe(0);
      expect(text.stdout).toContain('2 warnings');
      expect(text.stdout).toContain('a deploy takes journey "winback" only as journeys/winback.json');
      const [report] = JSON.parse(json.stdout).files;
      expect(report.warnings.map((w: { code: string; path: string }) => [w.code, w.path])).toStrictEqual([
        ['wait.exits', 'steps.wait.event'],
        ['id.file-name', 'id'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('journeys validate: the templates it checks against', () => {
  it('refuses a --templates folder that does not exist instead of checking nothing', async () => {
    // act
    const [validated, compiled] = [
      await runCli(['validate', '--templates', 'no/such/templates', 'journeys/cart-abandonment.json']),
      await runCli(['compile', '--templates', 'no/such/templates', 'journeys/cart-abandonment.json']),
    ];
    // assert
    expect(validated.code).toBe(1);
    expect(validated.stdout).toContain('the templates folder no/such/templates does not exist');
    expect(compiled.code).toBe(1);
  });

  it('says a template that is there but broken is not valid, and why, rather than missing', async () => {
    // arrange: an email template without its html
    const dir = await mkdtemp(join(tmpdir(), 'validate-broken-template-'));
    try {
      await mkdir(join(dir, 'templates'));
      await writeFile(
        join(dir, 'templates', 'hello.json'),
        JSON.stringify({ channel: 'email', subject: 'Hi', text: 'x' }),
      );
      const journey = {
        id: 'hello',
        name: 'Hello',
        trigger: { type: 'event', event: 'Signed Up' },
        start: 'hello',
        steps: { hello: { type: 'email', template: 'hello', next: 'done' }, done: { type: 'exit' } },
      };
      await writeFile(join(dir, 'hello.json'), JSON.stringify(journey, null, 2));
      // act
      const result = await runCli(['validate', join(dir, 'hello.json')]);
      // assert
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Template "hello" (templates/hello.json) is not valid: html:');
      expect(result.stdout).not.toContain('There is no template "hello"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says so when a journey that sends has no templates folder beside it', async () => {
    // act: a fixture folder with no templates/ of its own
    const result = await runCli([
      'validate',
      '--json',
      'test/fixtures/journeys/sends-without-templates.json',
    ]);
    // assert
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).files[0].notes).toStrictEqual([
      'templates not checked: there is no folder test/fixtures/journeys/templates',
    ]);
  });
});

describe('journeys graph', () => {
  it('prints a Mermaid flowchart with every step of the cart abandonment journey', async () => {
    const file = 'journeys/cart-abandonment.json';
    const journey = JSON.parse(await readFile(join(projectRoot, file), 'utf8'));
    const result = await runCli(['graph', file]);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('flowchart TD\n')).toBe(true);
    for (const id of Object.keys(journey.steps)) expect(result.stdout).toContain(`(${id})`);
  });

  it('draws the goal, the exit events and the fallback in plain and Markdown output alike', async () => {
    const file = 'journeys/cart-abandonment.json';
    const plain = await runCli(['graph', file]);
    const markdown = await runCli(['graph', file, '--markdown']);
    expect(markdown.stdout).toBe(`\`\`\`mermaid\n${plain.stdout}\`\`\`\n`);
    for (const line of [
      '  goal[["Goal: Order Completed within 3 days<br/>converts and ends the enrollment"]]',
      '  exit_on[["Ends at once on:<br/>Cart Emptied"]]',
      '  s_cart_sms -.->|"not delivered in 1 hour"| s_cart_sms_fallback1',
      '  s_cart_sms_fallback1 --> s_not_ordered',
    ])
      expect(plain.stdout).toContain(`${line}\n`);
  });

  it('refuses an invalid journey with each problem located, as validate prints it', async () => {
    const file = 'test/fixtures/journeys/broken/split-problems.json';
    const [graph, validated] = await Promise.all([runCli(['graph', file]), runCli(['validate', file])]);
    expect(graph.code).toBe(1);
    expect(graph.stdout).toBe(validated.stdout.replace(/\n\n.*\n$/, '\n'));
    expect(graph.stdout).toContain('2 problems');
    expect(graph.stderr).toContain('was not drawn');
  });
});

describe('journeys schema', () => {
  it('prints the committed JSON Schema', async () => {
    const result = await runCli(['schema']);
    expect(result.stdout).toBe(await readFile(join(projectRoot, 'journeys/journey.schema.json'), 'utf8'));
  });
});

describe('journeys compile', () => {
  it('compiles every example journey', async () => {
    const files = (await journeyFiles()).filter((f) => !f.endsWith('.schema.json'));
    const results = await Promise.all(files.map((file) => runCli(['compile', file])));
    for (const [i, result] of results.entries()) {
      expect({ file: files[i], code: result.code }).toEqual({ file: files[i], code: 0 });
      expect(Object.keys(JSON.parse(result.stdout).States).length).toBeGreaterThan(0);
    }
  });

  it('prints the ASL of an example journey, with CDK substitution placeholders', async () => {
    const result = await runCli(['compile', 'journeys/cart-abandonment.json']);
    expect(result.code).toBe(0);
    const asl = JSON.parse(result.stdout);
    expect(asl.StartAt).toBe('wait-1h');
    expect(JSON.stringify(asl)).toContain(PLACEHOLDER_BINDINGS.sendMessageFunctionArn);
  });

  it('gives a broken journey the same report as validate', async () => {
    const file = 'test/fixtures/journeys/broken/split-problems.json';
    const [compiled, validated] = await Promise.all([runCli(['compile', file]), runCli(['validate', file])]);
    expect(compiled.code).toBe(1);
    expect(compiled.stdout).toBe(validated.stdout.replace(/\n\n.*\n$/, '\n'));
    expect(compiled.stderr).toContain('was not compiled');
  });
});
