import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '#infra/constructs/settings.ts';
import type { JourneysStack } from '#infra/journeys-stack.ts';
import { CONFIGURED, synthesize, synthesizeConfigured, synthesizeDefaults } from './synth.ts';

let stack: JourneysStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthesizeDefaults());
});

const logicalId = (value: unknown) => stack.resolve(value).Ref ?? stack.resolve(value)['Fn::GetAtt']?.[0];

function envOf(fnLogicalId: string): Record<string, unknown> {
  return template.findResources('AWS::Lambda::Function')[fnLogicalId]?.Properties.Environment.Variables ?? {};
}

function actionsOf(roleLogicalId: string): string[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .flatMap((s: { Action: string | string[] }) => [s.Action].flat())
    .sort();
}

describe('unsubscribe endpoint (no context flags)', () => {
  it('is a public function URL on the unsubscribe function', () => {
    const urls = Object.values(template.findResources('AWS::Lambda::Url'));
    expect(urls).toHaveLength(1);
    expect(urls[0]?.Properties).toMatchObject({
      AuthType: 'NONE',
      TargetFunctionArn: stack.resolve(stack.unsubscribe.fn.function.functionArn),
    });
  });

  it('signs links with a generated secret that send-message and the endpoint may read, and nothing else', () => {
    const secret = stack.resolve(stack.unsubscribe.signingKey.secretArn);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    const readers = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) =>
        p.Properties.PolicyDocument.Statement.some(
          (s: { Resource: unknown }) => JSON.stringify(s.Resource) === JSON.stringify(secret),
        ),
      )
      .flatMap((p) => p.Properties.Roles.map((r: { Ref: string }) => r.Ref))
      .sort();
    expect(readers).toEqual(
      [
        logicalId(stack.unsubscribe.fn.role.roleArn),
        logicalId(stack.functions['send-message'].role.roleArn),
      ].sort(),
    );
  });

  it('links emails to the endpoint by default', () => {
    const env = envOf(logicalId(stack.functions['send-message'].function.functionArn));
    expect(env.UNSUBSCRIBE_BASE_URL).toEqual(stack.resolve(stack.unsubscribe.url));
    expect(env.UNSUBSCRIBE_SECRET_ARN).toEqual(stack.resolve(stack.unsubscribe.signingKey.secretArn));
  });

  it('lets the endpoint read and write profiles (consent) and read its key only', () => {
    const actions = actionsOf(logicalId(stack.unsubscribe.fn.role.roleArn));
    expect(actions).toContain('dynamodb:UpdateItem');
    expect(actions).toContain('secretsmanager:GetSecretValue');
    expect(actions.filter((a) => a.startsWith('ses:') || a.startsWith('mobiletargeting:'))).toEqual([]);
  });
});

describe('unsubscribe endpoint behind a front end of yours', () => {
  it('links emails to unsubscribeBaseUrl when given', () => {
    const own = synthesizeConfigured();
    expect(CONFIGURED.unsubscribeBaseUrl).toBe('https://shop.example/unsubscribe');
    const fn = own.stack.resolve(own.stack.functions['send-message'].function.functionArn)['Fn::GetAtt'][0];
    const env = own.template.findResources('AWS::Lambda::Function')[fn]?.Properties.Environment.Variables;
    expect(env.UNSUBSCRIBE_BASE_URL).toBe('https://shop.example/unsubscribe');
  });
});

describe('the order of an update', () => {
  it.each([
    ['by default', () => synthesizeDefaults()],
    ['behind a front end of yours', () => synthesizeConfigured()],
  ])(
    'updates send-message after the endpoint (%s): no link is signed in a format not yet verified',
    (_, synth) => {
      const own = synth();
      const id = (fn: { functionArn: string }) => own.stack.resolve(fn.functionArn)['Fn::GetAtt'][0];
      const sender = own.template.toJSON().Resources[id(own.stack.functions['send-message'].function)];
      expect([sender.DependsOn].flat()).toContain(id(own.stack.unsubscribe.fn.function));
    },
  );
});

describe('an existing signing secret (unsubscribeSigningSecret)', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:journeys-unsubscribe-AbC123';

  /** The env of the signing functions, and the secret resources each role may read. */
  function signingOf(own: ReturnType<typeof synthesize>) {
    const fns = [own.stack.unsubscribe.fn, own.stack.functions['send-message']];
    const resources = own.template.toJSON().Resources;
    return fns.map((fn) => {
      const role = own.stack.resolve(fn.role.roleArn)['Fn::GetAtt'][0];
      const readable = Object.values(own.template.findResources('AWS::IAM::Policy'))
        .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === role))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .filter((s: { Action: unknown }) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
        .map((s: { Resource: unknown }) => own.stack.resolve(s.Resource));
      const id = own.stack.resolve(fn.function.functionArn)['Fn::GetAtt'][0];
      return { secret: resources[id].Properties.Environment.Variables.UNSUBSCRIBE_SECRET_ARN, readable };
    });
  }

  it('signs and verifies with the secret of the ARN given, and creates none', () => {
    const own = synthesize({ context: { unsubscribeSigningSecret: ARN } });
    own.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(signingOf(own)).toEqual([
      { secret: ARN, readable: [ARN] },
      { secret: ARN, readable: [ARN] },
    ]);
    own.template.hasOutput('UnsubscribeSigningKeyArn', { Value: ARN });
  });

  it('reads a secret given by name by that name, and may read only that secret', () => {
    const own = synthesize({ context: { unsubscribeSigningSecret: 'journeys/unsubscribe' } });
    own.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const [endpoint, send] = signingOf(own);
    expect(endpoint).toEqual(send);
    expect(endpoint?.secret).toBe('journeys/unsubscribe');
    // Secrets Manager ends each secret's ARN with - and six characters of its own.
    expect(JSON.stringify(endpoint?.readable)).toContain(':secret:journeys/unsubscribe-??????');
    expect(endpoint?.readable).toHaveLength(1);
  });

  it.each([
    ['another service', 'arn:aws:s3:::journeys-unsubscribe'],
    ['a partial ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:journeys'],
    ['an empty name', ''],
    ['a name with spaces', 'my key'],
  ])('refuses %s at synth, naming the option', (_what, value) => {
    expect(() => readSettings((k) => (k === 'unsubscribeSigningSecret' ? value : undefined))).toThrow(
      '-c unsubscribeSigningSecret',
    );
  });
});

describe('reserved concurrency of the public endpoint (unsubscribeReservedConcurrency)', () => {
  const reservedOf = (own: ReturnType<typeof synthesize>) => {
    const id = own.stack.resolve(own.stack.unsubscribe.fn.function.functionArn)['Fn::GetAtt'][0];
    return own.template.findResources('AWS::Lambda::Function')[id]?.Properties.ReservedConcurrentExecutions;
  };

  it('reserves none by default: a new account may have too little concurrency to reserve any', () => {
    expect(reservedOf(synthesizeDefaults())).toBeUndefined();
  });

  it.each([
    [20, 20],
    ['50', 50],
  ])(
    'reserves %j when asked, capping what a flood of requests to the public URL can take',
    (value, reserved) => {
      expect(reservedOf(synthesize({ context: { unsubscribeReservedConcurrency: value } }))).toBe(reserved);
    },
  );

  it.each([0, -1, 1.5, 'many'])('refuses %j at synth, naming the option', (value) => {
    expect(() => readSettings((k) => (k === 'unsubscribeReservedConcurrency' ? value : undefined))).toThrow(
      '-c unsubscribeReservedConcurrency',
    );
  });
});
