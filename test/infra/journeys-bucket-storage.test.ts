import { describe, expect, it } from 'vitest';
import { synthesizeDefaults } from './synth.ts';

describe('journeys bucket storage', () => {
  it('is bounded: replaced versions expire after a year, an upload never completed after a week', () => {
    // arrange
    const { template } = synthesizeDefaults();
    // act
    const rules = Object.values(template.findResources('AWS::S3::Bucket')).flatMap(
      (bucket) => bucket.Properties.LifecycleConfiguration?.Rules ?? [],
    );
    // assert
    expect(rules).toEqual([
      {
        NoncurrentVersionExpiration: { NoncurrentDays: 365 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        ExpiredObjectDeleteMarker: true,
        Status: 'Enabled',
      },
    ]);
  });
});
