import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '#functions/_lib/config.ts';

describe('parseConfig', () => {
  it('reads only the requested variables', () => {
    expect(
      parseConfig(['PROFILES_TABLE_NAME', 'S3_FORCE_PATH_STYLE'], {
        PROFILES_TABLE_NAME: 'p',
        S3_FORCE_PATH_STYLE: 'true',
      }),
    ).toEqual({
      PROFILES_TABLE_NAME: 'p',
      S3_FORCE_PATH_STYLE: true,
    });
  });

  it('fails fast naming every missing variable', () => {
    expect(() =>
      parseConfig(['PROFILES_TABLE_NAME', 'REJECTED_QUEUE_URL'], { PROFILES_TABLE_NAME: '' }),
    ).toThrow(
      new ConfigError('Invalid environment: PROFILES_TABLE_NAME is not set; REJECTED_QUEUE_URL is not set'),
    );
  });

  it('accepts a missing optional variable', () => {
    expect(parseConfig(['UNSUBSCRIBE_SIGNING_KEY'], {})).toEqual({});
  });
});
