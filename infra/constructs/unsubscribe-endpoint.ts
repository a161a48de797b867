import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { type CfnFunction, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { JourneysFunction, type JourneysFunctionProps } from './journeys-function.ts';

export interface UnsubscribeEndpointProps {
  readonly function: JourneysFunctionProps;
  /** An existing secret to sign with (full ARN or name): the stack then creates none. */
  readonly signingSecret?: string;
  /** Concurrent executions reserved for (and capping) the public function; none when undefined. */
  readonly reservedConcurrency?: number;
  /** Keep the secret the stack creates when the stack is deleted, as the data is kept. */
  readonly retainData: boolean;
}

/**
 * The public unsubscribe endpoint: the unsubscribe function (built from its
 * manifest, which binds the profiles table and the signing key) behind a
 * Lambda function URL (mailbox providers POST RFC 8058 one-click requests to
 * it without credentials), and the secret its links are signed with. The
 * stack works with no context flags: emails link here unless
 * `unsubscribeBaseUrl` names a front end of your own that forwards to this URL.
 */
export class UnsubscribeEndpoint extends Construct {
  readonly fn: JourneysFunction;
  readonly url: string;
  readonly signingKey: ISecret;

  constructor(scope: Construct, id: string, props: UnsubscribeEndpointProps) {
    super(scope, id);
    this.signingKey =
      props.signingSecret === undefined
        ? this.createSigningKey(props.retainData)
        : existingSecret(this, props.signingSecret);
    this.fn = new JourneysFunction(this, 'Function', props.function);
    // Anyone can call the URL: reserving caps what a flood of requests can take from the journeys' functions.
    if (props.reservedConcurrency !== undefined) {
      const fn = this.fn.function.node.defaultChild as CfnFunction;
      fn.reservedConcurrentExecutions = props.reservedConcurrency;
    }
    // Public by design: the signature in each link is what authorises a change.
    const url = this.fn.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });
    this.url = url.url;
  }

  /**
   * Every email sent carries a link signed with this key: kept with the data
   * (retainData), so a stack created again can be given it and the links keep
   * working. Its construct id is its logical id: a new one would be a new key.
   */
  private createSigningKey(retainData: boolean): Secret {
    const secret = new Secret(this, 'SigningKey', {
      description: 'HMAC key of the signed unsubscribe links in journey emails',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Links verify with the current key and the one before it only, so a rotation on a schedule would end the unsubscribe links of emails sent two rotations ago, which must keep working (rotate by hand, at most every 30 days).',
    });
    return secret;
  }
}

/** A secret the stack neither creates nor deletes, by full ARN or by name (settings.ts checks which). */
function existingSecret(scope: Construct, secret: string): ISecret {
  return secret.startsWith('arn:')
    ? Secret.fromSecretCompleteArn(scope, 'SigningKey', secret)
    : Secret.fromSecretNameV2(scope, 'SigningKey', secret);
}
