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

/** A file directly beside the journeys (not in a subfolder, not hidden). */
const BESIDE_JOURNEYS = /^journeys\/([^/.][^/]*)$/;
/** Names of journeys saved the wrong way: `.JSON`, an editor's extension added (`.json.txt`), YAML. */
const JOURNEY_SAVED_ELSEWISE = /\.json$|\.json\..+$|\.ya?ml$/i;

/**
 * The file name of a journey saved beside the others under a name that is not
 * `<name>.json` — `cart.JSON`, `cart.json.txt`, `cart.yaml` — never deployed
 * but answered with a report; `undefined` for anything else (a `.json` file,
 * a README, an editor's backup `cart.json~`, a subfolder's file).
 */
export function notJsonJourneyOfKey(key: string): string | undefined {
  const name = BESIDE_JOURNEYS.exec(key)?.[1];
  if (name === undefined || name.endsWith('.json') || !JOURNEY_SAVED_ELSEWISE.test(name)) return undefined;
  return name;
}

/** The journey id a file of another extension was probably meant as (`cart.JSON` → `cart`). */
export function intendedIdOfName(name: string): string | undefined {
  const stem = name.replace(/\.(json(\..*)?|ya?ml)$/i, '');
  return JOURNEY_ID.test(stem) ? stem : undefined;
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
