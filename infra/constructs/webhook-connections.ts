import { Names, SecretValue } from 'aws-cdk-lib';
import { CfnConnection } from 'aws-cdk-lib/aws-events';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CONNECTION_NAME, type ConnectionConfig } from '#shared/journey/webhook.ts';
import { journeyStateMachinesArn } from './journey-arns.ts';

export interface WebhookConnectionsProps {
  /** Connections by the name journeys use in webhook steps. */
  readonly connections: ReadonlyMap<string, ConnectionConfig>;
  /** The role journey state machines run as: it may call each connection's endpoints, and nothing else. */
  readonly role: IRole;
}

/** `https://host/base` → `https://host/base*`, the endpoint pattern IAM matches calls against. */
function endpointPattern(baseUrl: string): string {
  return `${baseUrl.replace(/\/$/, '')}*`;
}

/**
 * The EventBridge connections webhook steps call through. Each credential is
 * a Secrets Manager dynamic reference: CloudFormation resolves it, so no
 * secret is in the template, a journey file, a log or an execution's
 * history. The journey role may invoke only URLs under a connection's base,
 * read that connection's credentials, and the secret EventBridge keeps for it.
 */
export class WebhookConnections extends Construct {
  /** Connection ARN by name: the compiler's `connectionArns` binding. */
  readonly arns = new Map<string, string>();

  constructor(scope: Construct, id: string, props: WebhookConnectionsProps) {
    super(scope, id);
    for (const [name, config] of props.connections) {
      if (!CONNECTION_NAME.test(name))
        throw new Error(`Connection name "${name}" must match ${CONNECTION_NAME}`);
      if (!config.baseUrl.startsWith('https://'))
        throw new Error(
          `Connection ${name}: Step Functions calls HTTPS endpoints only, not ${config.baseUrl}`,
        );
      const secret = SecretValue.secretsManager(config.auth.secretName).unsafeUnwrap();
      const connection = new CfnConnection(this, name, {
        name: `${Names.uniqueResourceName(this, { maxLength: 40 })}-${name}`.slice(0, 64),
        description: `Journeys webhook connection ${name}`,
        authorizationType: config.auth.type === 'apiKey' ? 'API_KEY' : 'BASIC',
        authParameters:
          config.auth.type === 'apiKey'
            ? { apiKeyAuthParameters: { apiKeyName: config.auth.header, apiKeyValue: secret } }
            : { basicAuthParameters: { username: config.auth.username, password: secret } },
      });
      this.arns.set(name, connection.attrArn);
      props.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:InvokeHTTPEndpoint'],
          resources: [journeyStateMachinesArn(this)],
          conditions: { StringLike: { 'states:HTTPEndpoint': endpointPattern(config.baseUrl) } },
        }),
      );
      props.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['events:RetrieveConnectionCredentials'],
          resources: [connection.attrArn],
        }),
      );
      props.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [connection.attrSecretArn],
        }),
      );
    }
  }
}
