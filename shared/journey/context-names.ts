import { codePointLength, utf8Length } from '../utf8.ts';

/**
 * What a journey context variable name and value may be, without a schema
 * library: the journey language (classic zod) and the task contracts
 * (`zod/mini`) both build their schemas from these.
 */

/** A variable name: an identifier, so it is a plain JSONPath segment and a Liquid variable. */
export const CONTEXT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Names JavaScript or JSONPath give a meaning of their own: never variable names. */
const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', 'length']);

/** True for a name JavaScript or JSONPath gives a meaning of its own. */
export function isReservedContextName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

/** What a name that is not a variable name is told. */
export const CONTEXT_NAME_MESSAGES = {
  shape: 'must be an identifier: letters, digits and _ (64 at most), not starting with a digit',
  reserved: 'is reserved: choose another name',
} as const;

/** The longest string any variable may declare (and the handlers accept). */
export const MAX_STRING_LENGTH = 4096;

/**
 * The most bytes a string variable of `maxLength` characters may take in the
 * execution state's JSON: four per character (the longest in UTF-8) and its
 * quotes. A variable's share of the state is counted from it.
 */
export function maxStringBytes(maxLength: number): number {
  return maxLength * 4 + 2;
}

/**
 * The bytes a string takes in the execution state's JSON: a control character
 * is written `\u00XX` (6 bytes), a quote or backslash escaped (2), so a short
 * string of them may take more than its characters' share.
 */
export function stringJsonBytes(text: string): number {
  return utf8Length(JSON.stringify(text));
}

/** Why a string does not fit `maxLength`: too many characters, or too many bytes as JSON; undefined when it fits. */
export function stringFitProblem(text: string, maxLength: number): string | undefined {
  // Characters are code points, as the task functions' parse of the context counts them: an emoji is one.
  const length = codePointLength(text);
  if (length > maxLength) return `is ${length} characters long, over its maxLength ${maxLength}`;
  const bytes = stringJsonBytes(text);
  return bytes > maxStringBytes(maxLength)
    ? `takes ${bytes} bytes as JSON (control characters are escaped), over the ${maxStringBytes(maxLength)} its maxLength ${maxLength} allows`
    : undefined;
}

/** The JSON types a variable may declare (null is always allowed: "not set"). */
export const CONTEXT_TYPES = ['string', 'number', 'boolean'] as const;
export type ContextType = (typeof CONTEXT_TYPES)[number];

/** What a context variable declares about the values it takes from a trigger. */
export type DeclaredValue = { type: ContextType; maxLength?: number };

/**
 * Why a trigger value cannot start a context variable (ingest does not
 * enroll such an event), or undefined when it can. One rule for ingest and
 * for previews, so a preview says what ingest would do.
 */
export function entryValueProblem(value: unknown, declared: DeclaredValue): string | undefined {
  if (value === undefined || value === null) return 'is missing';
  if (typeof value !== declared.type) return `is a ${typeof value}, not the declared ${declared.type}`;
  if (typeof value !== 'string' || declared.maxLength === undefined) return undefined;
  return stringFitProblem(value, declared.maxLength);
}
