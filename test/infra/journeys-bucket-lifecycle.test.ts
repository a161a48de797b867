import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthesizeDefaults } from './synth.ts';

describe('journeys bucket lifecycle', () => {
  it('removes the delete marker of a deleted file once it is all that is left of it', () => {
    // arrange
    const { template } = synthesizeDefaults();
    // act
    const buckets = template.findResources('AWS::S3::Bucket', {
      Properties: {
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({ Status: 'Enabled', ExpiredObjectDeleteMarker: true })]),
        },
      },
    });
    // assert
    expect(Object.keys(buckets)).toHaveLength(1);
  });

  it('never expires the file as it is now, only what was replaced or deleted', () => {
    // arrange
    const { template } = synthesizeDefaults();
    // act
    const rules = Object.values(template.findResources('AWS::S3::Bucket')).flatMap(
      (bucket) => bucket.Properties.LifecycleConfiguration?.Rules ?? [],
    );
    // assert: no rule gives current objects an expiry (days or date)
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule).not.toHaveProperty('ExpirationInDays');
      expect(rule).not.toHaveProperty('ExpirationDate');
    }
  });
});
