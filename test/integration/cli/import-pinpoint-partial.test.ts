import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/** A Pinpoint journey (get-journey output) whose first email names a sender that is no address. */
const withBadSender = {
  Name: 'Welcome',
  StartCondition: { SegmentStartCondition: { SegmentId: 's' } },
  StartActivity: 'mail',
  Activities: {
    mail: {
      EMAIL: { TemplateName: 'Hi', MessageConfig: { FromAddress: 'not an address' }, NextActivity: 'later' },
    },
    later: { SMS: { TemplateName: 'Later' } },
  },
};

describe('journeys import-pinpoint: what it keeps, and what it says it could not', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'import-pinpoint-partial-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a journey with one field that does not validate, names the activity and field, and exits 2', async () => {
    // arrange
    const input = join(dir, 'welcome-export.json');
    await writeFile(input, JSON.stringify(withBadSender));
    const out = join(dir, 'welcome.json');
    // act
    const toFile = await runCli(['import-pinpoint', input, '--out', out]);
    const toStdout = await runCli(['import-pinpoint', input]);
    // assert: every step is kept, the sender as given, and nothing deploys until it is fixed
    expect(toFile.code).toBe(2);
    const journey = JSON.parse(await readFile(out, 'utf8'));
    expect(journey.steps.mail.from).toBe('not an address');
    expect(journey.steps.later.type).toBe('sms');
    expect(toFile.stdout).toMatch(/steps\.mail\.from \(Pinpoint activity "mail"\) +must be an email address/);
    expect(toFile.stdout).toMatch(/Activities\.mail +Became step "mail" as given/);
    expect(toStdout.code).toBe(2);
    expect(JSON.parse(toStdout.stdout).steps.mail.from).toBe('not an address');
    expect(toStdout.stderr).toContain('steps.mail.from (Pinpoint activity "mail")');
  });

  it('says which files of a folder it passed over: an empty list, and files that are not .json, in journeys and in --segments', async () => {
    // arrange
    const input = join(dir, 'export');
    await mkdir(input);
    await writeFile(
      join(input, 'welcome.json'),
      JSON.stringify({ ...withBadSender, Activities: { mail: { EMAIL: { TemplateName: 'Hi' } } } }),
    );
    await writeFile(join(input, 'empty.json'), '[]\n');
    await writeFile(join(input, 'list.json'), JSON.stringify({ JourneysResponse: { Item: [] } }));
    await writeFile(join(input, 'other.txt'), 'not json');
    const segments = join(dir, 'segments.json');
    await writeFile(segments, '[]');
    const out = join(dir, 'journeys');
    // act
    const result = await runCli(['import-pinpoint', input, '--out', out, '--segments', segments]);
    // assert: the one journey is written (its template a placeholder still to write: exit 2); each file passed over is named
    expect(result.code).toBe(2);
    expect(await readdir(out)).toEqual(['welcome.json']);
    expect(result.stdout).toMatch(/empty\.json is an empty list/);
    expect(result.stdout).toMatch(/list\.json is an empty list/);
    expect(result.stdout).toContain('other.txt');
    expect(result.stdout).toMatch(/segments\.json is an empty list/);
  });

  it('names the empty list when it is all there is, and exits 1', async () => {
    // arrange
    const input = join(dir, 'export');
    await mkdir(input);
    await writeFile(join(input, 'empty.json'), '[]');
    // act
    const folder = await runCli(['import-pinpoint', input, '--out', join(dir, 'journeys')]);
    const file = await runCli(['import-pinpoint', join(input, 'empty.json'), '--out', join(dir, 'journeys')]);
    // assert
    expect(folder.code).toBe(1);
    expect(folder.stderr + folder.stdout).toMatch(/empty\.json is an empty list/);
    expect(file.code).toBe(1);
    expect(file.stderr + file.stdout).toMatch(/empty\.json is an empty list/);
  });
});
