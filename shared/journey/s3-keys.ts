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

/** What a journey id is, as a file name must be. */
export const JOURNEY_ID_RULE = 'the id in lowercase letters, digits and dashes (63 at most)';

/** The JSON Schema editors read, uploaded beside the journeys: not a journey. */
const SCHEMA_NAME = 'journey.schema';
const REPORT_SUFFIX = '.rejected';

/**
 * The name of a file beside the journeys that a deploy refuses because it is
 * not a journey id (`Cart_Abandonment.json`, `cart v2.json`), or `undefined`
 * for a definition, a rejection report, the JSON Schema and anything in a
 * subfolder (templates, examples).
 */
export function misnamedJourneyOfKey(key: string): string | undefined {
  const name = DEFINITION_KEY.exec(key)?.[1];
  if (name === undefined || JOURNEY_ID.test(name)) return undefined;
  return name === SCHEMA_NAME || name.endsWith(REPORT_SUFFIX) ? undefined : name;
}

/** Where the rejection report of a journey is written, next to its definition. */
export function rejectionKey(journeyId: string): string {
  return `journeys/${journeyId}${REPORT_SUFFIX}.json`;
}

/** The template name of a template key, or `undefined`. */
export function templateNameOfKey(key: string): string | undefined {
  if (!key.startsWith(TEMPLATES_PREFIX) || !key.endsWith('.json')) return undefined;
  const name = key.slice(TEMPLATES_PREFIX.length, -'.json'.length);
  return name.length > 0 && !name.includes('/') ? name : undefined;
}
