import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { readSettings } from '#infra/constructs/settings.ts';
import { WebhookConnections } from '#infra/constructs/webhook-connections.ts';
import { CONFIGURED, synthesizeConfigured } from './synth.ts';

function synth(connections: ConstructorParameters<typeof WebhookConnections>[2]['connections']) {
  // CloudFormation validation of this connection: cloudformation-validation.test.ts, in the configured stack.
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('states.amazonaws.com') });
  const construct = new WebhookConnections(stack, 'Webhooks', { connections, role });
  return { template: Template.fromStack(stack), construct };
}

describe('webhook connections', () => {
  it('defines a connection whose credential is a secret reference, and grants the journey role only its endpoints', () => {
    // act
    const { template, construct } = synth(
      new Map([
        [
          'crm',
          {
            baseUrl: 'https://crm.example.com/v1',
            auth: { type: 'apiKey', header: 'x-api-key', secretName: 'journeys/crm' },
          },
        ],
      ]),
    );
    // assert
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'x-api-key',
          ApiKeyValue: '{{resolve:secretsmanager:journeys/crm:SecretString:::}}',
        },
      },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('states:InvokeHTTPEndpoint');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'states:InvokeHTTPEndpoint',
            Condition: {
              StringLike: {
                'states:HTTPEndpoint': ['https://crm.example.com/v1', 'https://crm.example.com/v1/*'],
              },
              StringEquals: { 'states:HTTPMethod': ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
            },
          }),
          Match.objectLike({
            Action: 'events:RetrieveConnectionCredentials',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('Webhookscrm'), 'Arn'] },
          }),
          Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('Webhookscrm'), 'SecretArn'] },
          }),
        ]),
      },
    });
    expect([...construct.connections.keys()]).toEqual(['crm']);
  });

  it('refuses a connection that is not HTTPS', () => {
    expect(() =>
      synth(
        new Map([
          [
            'crm',
            { baseUrl: 'http://crm.example.com', auth: { type: 'basic', username: 'u', secretName: 's' } },
          ],
        ]),
      ),
    ).toThrow(/HTTPS/);
  });
});

describe('webhookConnections stack setting', () => {
  const setting = {
    crm: {
      baseUrl: 'https://crm.example.com/v1',
      auth: { type: 'apiKey', header: 'x-api-key', secretName: 'journeys/crm' },
    },
  };

  it('creates each connection, lets the journey role call it, and tells deploy-journey its ARN and base URL', () => {
    // arrange: the configured stack has the `crm` connection above, as `-c webhookConnections=<json>` passes it
    expect(JSON.parse(CONFIGURED.webhookConnections)).toEqual(setting);
    const { stack, template } = synthesizeConfigured();
    // act
    const resources = template.toJSON().Resources;
    const deployEnv =
      resources[
        stack.getLogicalId(stack.functions['deploy-journey'].function.node.defaultChild as CfnElement)
      ].Properties.Environment.Variables;
    // assert
    template.resourceCountIs('AWS::Events::Connection', 1);
    const connection = Object.keys(template.findResources('AWS::Events::Connection'))[0];
    const roleId = stack.getLogicalId(stack.journeyExecution.role.node.defaultChild as CfnElement);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'events:RetrieveConnectionCredentials',
            Resource: { 'Fn::GetAtt': [connection, 'Arn'] },
          }),
        ]),
      },
    });
    const variable = JSON.stringify(deployEnv.WEBHOOK_CONNECTIONS);
    expect(variable).toContain(connection);
    expect(variable).toContain('https://crm.example.com/v1');
    expect(variable).not.toContain('journeys/crm');
  });

  it('rejects a connection name that is not an identifier, naming the setting', () => {
    expect(() =>
      readSettings((key) => (key === 'webhookConnections' ? { 'crm-eu': setting.crm } : undefined)),
    ).toThrow('-c webhookConnections');
  });
});
