import { type CountryCode, type MetadataJson, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import type { Profile } from '../profile/profile.ts';
import metadata from './phone-metadata.json' with { type: 'json' };
import type { Address } from './policy.ts';

/**
 * Phone numbers as providers need them: E.164 (`+61412345678`). Customers
 * and apps write numbers the local way (`0412 345 678`), so a number without
 * a country code is read in the customer's country — a `country` trait (ISO
 * 3166 alpha-2, or `address.country` as Segment's identify spec has it),
 * else the region of the profile's locale (`en-AU`).
 *
 * libphonenumber-js is the parser: a port of Google's libphonenumber with its
 * numbering plans kept current, so no hand-written rules per country. Its
 * metadata here is the package's own `min` set without the national
 * formatting rules, which reading and length checks never use (49 KB less in
 * send-message); `test/support/phone-metadata.ts` derives it, and a test
 * fails when the installed package's metadata moves on.
 */

/** True when every country a calling code names has a numbering plan: the shape the parser relies on. */
function isPhoneMetadata(data: typeof metadata): data is typeof metadata & MetadataJson {
  const countries = new Set(Object.keys(data.countries));
  return Object.values(data.country_calling_codes).every((codes) =>
    codes.every((code) => countries.has(code)),
  );
}

function checked(data: typeof metadata): MetadataJson {
  if (!isPhoneMetadata(data)) throw new Error('phone-metadata.json names a country it has no plan for');
  return data;
}

const PHONE_METADATA = checked(metadata);

/** A country with a numbering plan (what libphonenumber's own `isSupportedCountry` checks). */
function isSupportedCountry(code: string): code is CountryCode {
  return Object.hasOwn(PHONE_METADATA.countries, code);
}

/** The customer's country for reading local numbers, when the profile tells. */
export function profileCountry(profile: Profile): CountryCode | undefined {
  const traits = new Map(Object.entries(profile.traits));
  const address = traits.get('address');
  const candidates = [
    traits.get('country'),
    typeof address === 'object' && address !== null
      ? new Map(Object.entries(address)).get('country')
      : undefined,
    localeRegion(profile.locale),
  ];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const code = candidate.trim().toUpperCase();
    if (isSupportedCountry(code)) return code;
  }
  return undefined;
}

/** The region of a locale such as `en-AU` or `pt_BR`. */
function localeRegion(locale: string | undefined): string | undefined {
  if (locale === undefined) return undefined;
  try {
    return new Intl.Locale(locale.replace('_', '-')).region;
  } catch {
    return undefined;
  }
}

export type PhoneNumber = { ok: true; e164: string } | { ok: false; reason: string };

/**
 * A phone number in E.164, or why it is not one (the reason names no digits:
 * it ends up in logs). A number is accepted when it has a possible length for
 * its country: whether it is in service is the carrier's to say, and its
 * TEXT_INVALID event then suppresses the channel (see feedback.ts). Numbering
 * plans change faster than a deployed bundle's metadata.
 */
export function toE164(raw: string, country?: CountryCode): PhoneNumber {
  const parsed = parsePhoneNumberFromString(
    raw,
    country === undefined ? {} : { defaultCountry: country },
    PHONE_METADATA,
  );
  if (parsed?.isPossible()) return { ok: true, e164: parsed.number };
  if (raw.trim().startsWith('+')) {
    return { ok: false, reason: 'the phone number is not a possible international number' };
  }
  if (country === undefined) {
    return { ok: false, reason: 'the phone number has no country code and the profile no country or locale' };
  }
  return { ok: false, reason: `the phone number is not a possible number in ${country}` };
}

/** What a send can use: the address (an SMS number in E.164), or why the address cannot be used. */
export type Deliverable = { ok: true; address: Address } | { ok: false; reason: string };

/** The address as the provider needs it; an SMS number that cannot be read is a suppression with a reason. */
export function deliverable(address: Address, profile: Profile): Deliverable {
  if (address.channel !== 'sms') return { ok: true, address };
  const phone = toE164(address.phone, profileCountry(profile));
  return phone.ok ? { ok: true, address: { channel: 'sms', phone: phone.e164 } } : phone;
}

/**
 * The spellings of a number in E.164 that a suppression recorded by an earlier
 * release may have been keyed under: the number itself and its national forms,
 * without a trunk prefix (`412345678`) and with each single-digit one its
 * country reads as this number (`0412345678` in Australia, `15559000001` in the
 * US). Found by reading each candidate back in the number's country, so the
 * numbering plans stay the library's: at most twelve spellings.
 */
export function phoneSpellings(e164: string): string[] {
  const parsed = parsePhoneNumberFromString(e164, {}, PHONE_METADATA);
  if (parsed === undefined) return [e164];
  // Read in the number's country, or (a number no country claims) its calling code's main one.
  const region =
    parsed.country === undefined
      ? { defaultCallingCode: parsed.countryCallingCode }
      : { defaultCountry: parsed.country };
  const national = String(parsed.nationalNumber);
  const spellings = [e164, national];
  for (const trunk of '0123456789') {
    const candidate = `${trunk}${national}`;
    if (parsePhoneNumberFromString(candidate, region, PHONE_METADATA)?.number === e164)
      spellings.push(candidate);
  }
  return spellings;
}
