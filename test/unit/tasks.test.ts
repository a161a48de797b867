import { describe, expect, it } from 'vitest';
import { manifest as awaitEventManifest } from '#functions/await-event/manifest.ts';
import { AwaitEventInput } from '#shared/tasks/await-event.ts';
import { EvaluateInput } from '#shared/tasks/evaluate.ts';
import { SendMessageInput } from '#shared/tasks/send-message.ts';
import { CONTRACT_VERSION } from '#shared/tasks/version.ts';

const base = { journeyId: 'j', journeyVersion: '3', enrollmentId: 'e', userId: 'u', stepId: 's' };

describe('task contracts: a union of versions, upgraded as they are parsed', () => {
  it.each([
    [
      'send-message',
      SendMessageInput,
      { channel: 'sms', template: 't', trigger: {}, defaultTimezone: 'UTC' },
    ],
    ['evaluate', EvaluateInput, { op: 'branch', conditions: [], trigger: {} }],
    [
      'await-event',
      AwaitEventInput,
      { token: 't', event: 'E', timeoutSeconds: 60, startedAt: '2026-11-30T10:00:00Z', trigger: {} },
    ],
  ] as const)('%s accepts version 1 and hands the handler the current version', (_name, schema, fields) => {
    expect(schema.parse({ ...base, ...fields, v: 1 }).v).toBe(CONTRACT_VERSION);
    expect(schema.parse({ ...base, ...fields, v: CONTRACT_VERSION }).v).toBe(CONTRACT_VERSION);
  });

  it('refuses an op version 1 never had, and an unknown version', () => {
    const update = { ...base, op: 'updateProfile', visit: 'x' };
    expect(EvaluateInput.safeParse({ ...update, v: 1 }).success).toBe(false);
    expect(EvaluateInput.safeParse({ ...update, v: CONTRACT_VERSION }).success).toBe(true);
    expect(
      EvaluateInput.safeParse({ ...base, op: 'branch', conditions: [], trigger: {}, v: 99 }).success,
    ).toBe(false);
  });
});

describe("await-event's task input: each form read as itself", () => {
  const wait = { token: 't', event: 'E', timeoutSeconds: 60, startedAt: '2026-11-30T10:00:00Z', trigger: {} };
  const forms = [
    ['a plain wait, version 1', { ...base, ...wait, v: 1 }, undefined],
    ['a plain wait', { ...base, ...wait, v: CONTRACT_VERSION }, undefined],
    ['a wait timed out', { ...base, v: CONTRACT_VERSION, op: 'timedOut', event: 'E' }, 'timedOut'],
    [
      'a wait for an outcome',
      {
        ...base,
        v: CONTRACT_VERSION,
        op: 'outcome',
        token: 't',
        messageId: 'm-1',
        outcomes: ['delivered'],
        timeoutSeconds: 60,
        startedAt: '2026-11-30T10:00:00Z',
      },
      'outcome',
    ],
    [
      'an outcome timed out',
      { ...base, v: CONTRACT_VERSION, op: 'outcomeTimedOut', messageId: 'm-1' },
      'outcomeTimedOut',
    ],
  ] as const;

  it.each(forms)('%s', (_name, input, op) => {
    const parsed = awaitEventManifest.task.input.parse(input) as { op?: string; v: number; token?: string };
    expect(parsed.op).toBe(op);
    expect(parsed.v).toBe(CONTRACT_VERSION);
    if (op === undefined) expect(parsed.token).toBe('t');
  });

  it('refuses a wait without its token, and a timed-out wait without its event', () => {
    const { token: _token, ...tokenless } = wait;
    expect(
      awaitEventManifest.task.input.safeParse({ ...base, ...tokenless, v: CONTRACT_VERSION }).success,
    ).toBe(false);
    expect(
      awaitEventManifest.task.input.safeParse({ ...base, v: CONTRACT_VERSION, op: 'timedOut' }).success,
    ).toBe(false);
  });
});
