import { Validations } from 'aws-cdk-lib';
import { FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { JourneysFunction, type JourneysFunctionProps } from './journeys-function.ts';

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
  readonly signingKey: Secret;

  constructor(scope: Construct, id: string, props: { readonly function: JourneysFunctionProps }) {
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
    this.fn = new JourneysFunction(this, 'Function', props.function);
    // Public by design: the signature in each link is what authorises a change.
    const url = this.fn.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });
    this.url = url.url;
  }
}
