import { Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { JourneysFunction } from './journeys-function.ts';
import type { LogSettings } from './log-settings.ts';

export interface UnsubscribeEndpointProps {
  readonly projectRoot: string;
  readonly entry: string;
  readonly depsLockFilePath: string;
  readonly logLevel: string;
  readonly logs: LogSettings;
  readonly profiles: ITable;
}

/**
 * The public unsubscribe endpoint: the unsubscribe function behind a Lambda
 * function URL (mailbox providers POST RFC 8058 one-click requests to it
 * without credentials), and the secret its links are signed with. The stack
 * works with no context flags: emails link here unless `unsubscribeBaseUrl`
 * names a front end of your own that forwards to this URL.
 */
export class UnsubscribeEndpoint extends Construct {
  readonly fn: JourneysFunction;
  readonly url: string;
  readonly signingKey: Secret;

  constructor(scope: Construct, id: string, props: UnsubscribeEndpointProps) {
    super(scope, id);
    this.signingKey = new Secret(this, 'SigningKey', {
      description: 'HMAC key of the signed unsubscribe links in journey emails',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.signingKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the signing key would invalidate the unsubscribe links in every email already sent, which must keep working.',
    });
    this.fn = new JourneysFunction(this, 'Function', {
      name: 'unsubscribe',
      description: 'Unsubscribe links: preference page and one-click opt-out',
      entry: props.entry,
      projectRoot: props.projectRoot,
      depsLockFilePath: props.depsLockFilePath,
      logLevel: props.logLevel,
      logs: props.logs,
    });
    this.fn.bindProfiles(props.profiles, 'readWrite');
    this.bindSigningKey(this.fn);
    // Public by design: the signature in each link is what authorises a change.
    const url = this.fn.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });
    this.url = url.url;
  }

  /** Lets a function sign or verify links. */
  bindSigningKey(fn: JourneysFunction): void {
    this.signingKey.grantRead(fn.role);
    fn.setEnv('UNSUBSCRIBE_SECRET_ARN', this.signingKey.secretArn);
  }
}
