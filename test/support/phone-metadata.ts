import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import metadata from 'libphonenumber-js/min/metadata';

/** Where the functions' phone metadata lives (see shared/delivery/phone.ts). */
export const PHONE_METADATA_FILE = join(
  import.meta.dirname,
  '..',
  '..',
  'shared',
  'delivery',
  'phone-metadata.json',
);

/** Index of the national formatting rules in a country's minified numbering plan. */
const FORMATS = 4;

/**
 * libphonenumber-js's `min` metadata without the national formatting rules:
 * reading a number and checking its possible length never use them, and they
 * are 60% of the data. Every other field is kept as the package ships it.
 */
export function phoneMetadataWithoutFormats(): unknown {
  const countries = Object.fromEntries(
    Object.entries(metadata.countries).map(([country, plan]) => [
      country,
      plan.map((field, index) => (index === FORMATS ? null : field)),
    ]),
  );
  return { ...metadata, countries };
}

// `npx tsx test/support/phone-metadata.ts` rewrites the file after a libphonenumber-js upgrade.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(PHONE_METADATA_FILE, `${JSON.stringify(phoneMetadataWithoutFormats())}\n`);
}
