import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * How every log group of the stack is kept: a retention, kept on `cdk
 * destroy` like the tables (logs are the record of what was sent and why),
 * and optionally encrypted with a customer-managed KMS key.
 */
export type LogSettings = {
  readonly retention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly encryptionKey?: IKey;
};

/** CloudWatch Logs accepts only certain retention periods: take the nearest one at least as long. */
function retentionOf(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((value): value is RetentionDays => typeof value === 'number' && value > 0)
    .sort((a, b) => a - b);
  return allowed.find((value) => value >= days) ?? RetentionDays.INFINITE;
}

export function logSettings(
  scope: Construct,
  options: { retentionDays: number; retain: boolean; encrypt: boolean },
): LogSettings {
  const removalPolicy = options.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  if (!options.encrypt) return { retention: retentionOf(options.retentionDays), removalPolicy };
  const stack = Stack.of(scope);
  const key = new Key(scope, 'LogsKey', {
    description: 'Journeys log groups',
    enableKeyRotation: true,
    removalPolicy,
  });
  // CloudWatch Logs encrypts with the key only for this account's log groups in this region.
  key.grant(
    new ServicePrincipal(`logs.${stack.region}.amazonaws.com`).withConditions({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    }),
    'kms:Encrypt*',
    'kms:Decrypt*',
    'kms:ReEncrypt*',
    'kms:GenerateDataKey*',
    'kms:Describe*',
  );
  return { retention: retentionOf(options.retentionDays), removalPolicy, encryptionKey: key };
}
