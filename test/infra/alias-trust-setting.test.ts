import { describe, expect, it } from 'vitest';
import { readSettings } from '#infra/constructs/settings.ts';

/** The settings as `-c key=value` passes them (strings), from a plain map of context values. */
function settingsOf(context: Record<string, string>) {
  return readSettings((key) => (Object.hasOwn(context, key) ? context[key] : undefined));
}

describe('aliasTrustedSources stack setting', () => {
  it('trusts no source by default', () => {
    expect(settingsOf({}).aliasTrustedSources).toEqual([]);
  });

  it('reads a comma-separated list of ingested sources', () => {
    const settings = settingsOf({
      eventSources: 'journeys.customer,acme.backend',
      aliasTrustedSources: ' acme.backend ,',
    });
    expect(settings.aliasTrustedSources).toEqual(['acme.backend']);
  });

  it('refuses a source whose events are not ingested, naming the setting', () => {
    expect(() => settingsOf({ aliasTrustedSources: 'acme.backend' })).toThrow(
      /-c aliasTrustedSources: acme\.backend is not one of eventSources/,
    );
  });
});
