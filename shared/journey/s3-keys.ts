import { JOURNEY_ID } from './schema.ts';

/**
 * The layout of the journeys bucket: definitions `journeys/<id>.json`,
 * templates `journeys/templates/<name>.json`, rejection reports
 * `journeys/<id>.rejected.json`.
 */
export const TEMPLATES_PREFIX = 'journeys/templates/';

const DEFINITION_KEY = /^journeys\/([^/]+)\.json$/;

/** The journey id of a definition key, or `undefined` for anything else (templates, reports, other files). */
export function journeyIdOfKey(key: string): string | undefined {
  const id = DEFINITION_KEY.exec(key)?.[1];
  return id !== undefined && JOURNEY_ID.test(id) ? id : undefined;
}

/** Where the rejection report of a journey is written, next to its definition. */
export function rejectionKey(journeyId: string): string {
  return `journeys/${journeyId}.rejected.json`;
}

/** The template name of a template key, or `undefined`. */
export function templateNameOfKey(key: string): string | undefined {
  if (!key.startsWith(TEMPLATES_PREFIX) || !key.endsWith('.json')) return undefined;
  const name = key.slice(TEMPLATES_PREFIX.length, -'.json'.length);
  return name.length > 0 && !name.includes('/') ? name : undefined;
}
