import { describe, expect, it } from 'vitest';
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
