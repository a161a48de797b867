import { readFileSync } from 'node:fs';
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { toE164 } from '#shared/delivery/phone.ts';
import { PHONE_METADATA_FILE, phoneMetadataWithoutFormats } from '../../support/phone-metadata.ts';

describe('the phone metadata the functions carry', () => {
  it('is the installed libphonenumber-js metadata without its formats (else: npx tsx test/support/phone-metadata.ts)', () => {
    expect(JSON.parse(readFileSync(PHONE_METADATA_FILE, 'utf8'))).toStrictEqual(
      phoneMetadataWithoutFormats(),
    );
  });

  it('reads every country’s numbers, in every way they are written, as the full library does', () => {
    // Each country's example number: international, national with and without trunk prefix,
    // formatted, one digit short or long, with an international call prefix; read in its own
    // country, in others and with no country.
    let checked = 0;
    for (const country of getCountries()) {
      const example = getExampleNumber(country, examples);
      if (!example) continue;
      const national = example.nationalNumber;
      const written = [
        example.number,
        national,
        `0${national}`,
        example.formatNational(),
        example.formatInternational(),
        national.slice(0, -1),
        `${national}1`,
        `00${example.countryCallingCode}${national}`,
      ];
      for (const raw of written) {
        for (const reader of [country, 'US', 'GB', 'AU', undefined] as const) {
          const reference = parsePhoneNumberFromString(
            raw,
            reader === undefined ? {} : { defaultCountry: reader },
          );
          const result = toE164(raw, reader);
          expect(result.ok ? result.e164 : undefined, `${raw} read in ${reader}`).toBe(
            reference?.isPossible() ? reference.number : undefined,
          );
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(8000);
  });
});
