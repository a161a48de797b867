import { Names, SecretValue } from 'aws-cdk-lib';
import { CfnConnection } from 'aws-cdk-lib/aws-events';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CONNECTION_NAME, type ConnectionConfig, WEBHOOK_METHODS } from '#shared/journey/webhook.ts';
import { journeyStateMachinesArn } from './journey-arns.ts';
import { acknowledgeWildcardResource } from './nag.ts';
import { JOURNEYS_AT_RUN_TIME } from './permissions.ts';

export interface WebhookConnectionsProps {
  /** Connections by the name journeys use in webhook steps. */
  readonly connections: ReadonlyMap<string, ConnectionConfig>;
  /** The role journey state machines run as: it may call each connection's endpoints, and nothing else. */
  readonly role: IRole;
}

/**
 * `https://host/base` → the base itself and everything under it at a path
 * boundary: `https://host*` alone would also match `https://host.evil.example`.
 */
function endpointPatterns(baseUrl: string): string[] {
  const base = baseUrl.replace(/\/+$/, '');
  return [base, `${base}/*`];
}

/**
 * The EventBridge connections webhook steps call through. Each credential is
 * a Secrets Manager dynamic reference: CloudFormation resolves it, so no
 * secret is in the template, a journey file, a log or an execution's
 * history. The journey role may invoke only URLs under a connection's base,
 * with the methods webhook steps use, read that connection's credentials,
 * and the secret EventBridge keeps for it.
 */
export class WebhookConnections extends Construct {
  /** By name: the ARN (the compiler's `connectionArns` binding) and the base URL calls stay under. */
  readonly connections = new Map<string, { arn: string; baseUrl: string }>();

  constructor(scope: Construct, id: string, props: WebhookConnectionsProps) {
    super(scope, id);
    if (props.connections.size > 0)
      acknowledgeWildcardResource(props.role, journeyStateMachinesArn(this), JOURNEYS_AT_RUN_TIME);
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
      this.connections.set(name, { arn: connection.attrArn, baseUrl: config.baseUrl });
      props.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['states:InvokeHTTPEndpoint'],
          resources: [journeyStateMachinesArn(this)],
          conditions: {
            StringLike: { 'states:HTTPEndpoint': endpointPatterns(config.baseUrl) },
            StringEquals: { 'states:HTTPMethod': [...WEBHOOK_METHODS] },
          },
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
