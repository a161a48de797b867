import { asciiAddress, mailboxProblem } from '../delivery/mailbox.ts';
import { isValidTimeZone } from '../time.ts';
import * as z from '../zod.ts';

/**
 * The reserved traits the profile reads as an address, a time zone or a
 * locale, and what each must look like. An event that sets one to a value of
 * the wrong kind is not rejected for it: that trait is left out (the profile
 * keeps what it had) and reported with the reason, like a trait over a limit.
 */

/** A locale such as en-US, it or pt_BR. */
export const LOCALE = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/;
const PHONE = /^\+?[\d\s().-]{5,32}$/;
const Email = z.email();

/** A rule that takes a value or gives its one message. */
function ruleOf(check: (value: string) => boolean, message: string) {
  return { problem: (value: string) => (check(value) ? undefined : message), message };
}

const EMAIL_MESSAGE = 'must be an email address such as ada@example.com';

/** Why an email trait is not an address SES takes; a domain in another script (ana@caffè.example) is: sends give SES its Punycode. */
function emailProblem(value: string): string | undefined {
  const ascii = asciiAddress(value);
  if (ascii !== undefined && Email.safeParse(ascii).success) return undefined;
  const problem = value === value.trim() ? mailboxProblem(value) : undefined;
  return problem !== undefined && /\d/.test(problem)
    ? `${EMAIL_MESSAGE}: this one ${problem}`
    : EMAIL_MESSAGE;
}

const RESERVED = new Map<string, { problem: (value: string) => string | undefined; message: string }>([
  ['email', { problem: emailProblem, message: EMAIL_MESSAGE }],
  ['phone', ruleOf((value) => PHONE.test(value), 'must be a phone number such as +14155550100')],
  ['timezone', ruleOf(isValidTimeZone, 'must be an IANA time zone such as Europe/Rome or America/New_York')],
  ['locale', ruleOf((value) => LOCALE.test(value), 'must be a locale such as en-US or it')],
]);

/**
 * Why the value of a reserved trait is not one the profile can use, or
 * undefined when it is (or the trait is not one of them): a string of its
 * kind, or empty or null, which CDPs send for "no value".
 */
export function reservedTraitProblem(trait: string, value: unknown): string | undefined {
  const rule = RESERVED.get(trait);
  if (rule === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return `must be a string: ${rule.message.slice('must be '.length)}`;
  return rule.problem(value);
}

/** The reserved traits the profile keeps as attributes of their own (its address, zone and locale). */
export type ReservedTrait = 'email' | 'phone' | 'timezone' | 'locale';

export function isReservedTrait(trait: string): trait is ReservedTrait {
  return RESERVED.has(trait);
}

/** Reserved traits an empty value (null, "") removes: an address can be taken away, a zone only replaced. */
export function clearsWhenEmpty(trait: ReservedTrait): boolean {
  return trait === 'email' || trait === 'phone';
}
