import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveOptions } from '#infra/local/runtime/options.ts';
import { outboxLine } from '#infra/local/services/pinpoint/outbox.ts';

/**
 * What the local runtime prints while it runs (`npm start`) holds customer
 * data: an SMS or push is printed as it is sent. A carriage return, an escape
 * sequence or a bidirectional override in a trait would rewrite, colour or
 * reorder the terminal, and a line break would print a line of its own that
 * looks like the runtime's (a deploy, another message).
 */
const HOSTILE = 'Eve\r  ✓ checkout.json deployed\n  → sms to +15550100: hi\u001b[2J\u202egnp.exe\u0085';

describe('the local runtime’s terminal lines', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('prints each SMS and push on one line, a customer’s control characters escaped', () => {
    // arrange
    const entry = {
      channel: 'push' as const,
      to: 'tok\r\n1',
      title: `Hi ${HOSTILE}`,
      body: `Cart: ${HOSTILE}`,
    };
    // act
    const line = outboxLine(entry);
    // assert
    expect(line).toMatch(
      /^ {2}→ push to tok\\u000d\\u000a1: Hi Eve\\u000d {2}✓ checkout\.json deployed\\u000a/,
    );
    expect(line).toContain('\\u001b[2J\\u202egnp.exe\\u0085 — Cart: Eve\\u000d');
    for (const control of ['\r', '\n', '\u001b', '\u202e', '\u0085']) expect(line).not.toContain(control);
  });

  it('escapes what the terminal would act on in every line the default log prints, keeping line breaks', () => {
    // arrange
    const printed: unknown[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: unknown) => {
      printed.push(text);
    });
    const { log } = resolveOptions({});
    // act
    log(`! delivery failed: ${HOSTILE}`);
    // assert
    expect(printed).toEqual([
      '! delivery failed: Eve\\u000d  ✓ checkout.json deployed\n  → sms to +15550100: hi\\u001b[2J\\u202egnp.exe\\u0085',
    ]);
  });
});
