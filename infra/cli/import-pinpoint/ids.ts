import { STEP_ID } from '../../../shared/journey/schema.ts';

/** Longest base kept from a Pinpoint id, leaving room for a `-wait` or `-2` suffix within 64 characters. */
const MAX_BASE = 56;

/**
 * Hands out valid, unique step ids. Pinpoint activity ids are arbitrary strings,
 * so each is reduced to letters, digits, `-` and `_`, prefixed when it does not
 * start with a letter, and numbered when two would collide. Allocation order is
 * the caller's, so the same input always yields the same ids.
 */
export class StepIds {
  private readonly used = new Set<string>();

  allocate(wanted: string): string {
    const base = toStepIdBase(wanted);
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }
}

function toStepIdBase(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_BASE);
  const base = /^[A-Za-z]/.test(cleaned) ? cleaned : `a-${cleaned}`.replace(/-+$/, '');
  return STEP_ID.test(base) ? base : 'step';
}

/** A journey id from a journey name: lowercase words joined by dashes. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return slug === '' ? 'imported-journey' : slug;
}
