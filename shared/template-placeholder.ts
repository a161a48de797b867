import type { Template } from './templates.ts';

/**
 * The mark `journeys import-pinpoint` puts in the template files it could not
 * fill with a Pinpoint template's content. A journey whose message still sends
 * one is refused by validation and deploy: its customers would receive the
 * mark's text.
 */
export const PLACEHOLDER_MARK = 'PLACEHOLDER imported from Amazon Pinpoint';

/** True when a template file's text still carries the mark. */
export function isPlaceholderText(text: string): boolean {
  return text.includes(PLACEHOLDER_MARK);
}

/** True when any text field of a template, whatever its channel, still carries the mark. */
export function isPlaceholderTemplate(template: Template): boolean {
  return Object.values(template).some((value) => typeof value === 'string' && isPlaceholderText(value));
}
