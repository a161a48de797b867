import { existsSync } from 'node:fs';
import {
  Annotations,
  Aws,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IDependable } from 'constructs';
import { JOURNEYS_PREFIX } from '../routes.ts';
import type { LogSettings } from './log-settings.ts';
import { acknowledgeWildcardResource } from './nag.ts';

const DEFAULT_QUALIFIER = DefaultStackSynthesizer.DEFAULT_QUALIFIER;

export interface JourneysBucketProps {
  /** The repository's journeys/ folder (definitions and templates), uploaded at deploy. */
  readonly sourceFolder: string;
  /**
   * Whether to upload it. The examples are active journeys (event triggers on
   * common event names, weekly and daily segments): in a stack fed real
   * customers' events they would enroll and message them.
   */
  readonly uploadExamples: boolean;
  readonly retainData: boolean;
  /** How the upload function's log group is kept, like every other of the stack. */
  readonly logs: LogSettings;
}

/**
 * The bucket marketers edit journeys in: versioned (the source of every
 * deployed version stays readable), encrypted, TLS only, never public, and
 * publishing object events to EventBridge, which routes them to deploy-journey.
 */
export class JourneysBucket extends Construct {
  readonly bucket: Bucket;
  readonly examples?: BucketDeployment;

  constructor(scope: Construct, id: string, props: JourneysBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Replaced versions are kept a year to roll back to; an upload never completed (a large file
      // whose multipart upload was cut off) is billed, unseen in any listing, until it is aborted.
      // A deleted file's delete marker goes once every version before it has expired: S3 removes
      // only a marker that is the key's last version, so the file is already gone, and
      // deploy-journey ignores the removals the lifecycle announces.
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(365),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
      ],
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Set on the resource itself: the L2 switch would add a notifications Lambda for the same effect.
    const cfnBucket = this.bucket.node.defaultChild;
    if (cfnBucket instanceof CfnBucket) {
      cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only journey JSON lives here; versioning keeps every change and CloudTrail records who made it.',
    });
    if (!props.uploadExamples) return;
    if (existsSync(props.sourceFolder)) this.examples = this.uploadExamples(props.sourceFolder, props.logs);
    else
      Annotations.of(this).addWarning(`${props.sourceFolder} not found: no example journeys are uploaded.`);
  }

  /** Makes the upload wait for something (the deploy rule), so the uploaded journeys deploy. */
  uploadAfter(...dependencies: IDependable[]): void {
    for (const dependency of dependencies) this.examples?.node.addDependency(dependency);
  }

  private uploadExamples(sourceFolder: string, logs: LogSettings): BucketDeployment {
    // Without it the upload logs to a group Lambda creates: never expiring, never encrypted, never removed.
    const logGroup = new LogGroup(this, 'ExamplesLogs', {
      retention: logs.retention,
      removalPolicy: logs.removalPolicy,
      encryptionKey: logs.encryptionKey,
    });
    const deployment = new BucketDeployment(this, 'Examples', {
      // The demo events drive the local runtime; they are not journeys.
      sources: [Source.asset(sourceFolder, { exclude: ['demo'] })],
      destinationBucket: this.bucket,
      destinationKeyPrefix: JOURNEYS_PREFIX,
      exclude: ['demo/*'],
      // Journeys added or edited in S3 are not the repository's to delete.
      prune: false,
      memoryLimit: 256,
      logGroup,
    });
    this.acknowledgeUploadFunction();
    return deployment;
  }

  /** The upload runs in a Lambda function CDK provides (one per stack): acknowledge what it is built with. */
  private acknowledgeUploadFunction(): void {
    const stack = Stack.of(this);
    const handler = stack.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!handler) return;
    const why = 'The CDK upload function of the example journeys';
    const reasons: Record<string, string> = {
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': `${why} writes its logs with the basic execution policy.`,
      'AwsSolutions-L1': `${why} pins the runtime its code is written for.`,
    };
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
      reasons[`AwsSolutions-IAM5[Action::${action}]`] =
        `${why} copies assets with the action groups CDK grants it.`;
    }
    for (const [id, reason] of Object.entries(reasons)) Validations.of(handler).acknowledge({ id, reason });
    const qualifier = String(
      this.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DEFAULT_QUALIFIER,
    );
    acknowledgeWildcardResource(
      handler,
      `arn:${Aws.PARTITION}:s3:::cdk-${qualifier}-assets-${Aws.ACCOUNT_ID}-${Aws.REGION}/*`,
      `${why} reads the uploaded asset archives from the CDK bootstrap bucket.`,
    );
    acknowledgeWildcardResource(
      handler,
      this.bucket.arnForObjects('*'),
      `${why} writes the example journeys into this bucket.`,
    );
  }
}
