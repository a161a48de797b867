import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '#functions/manifests.ts';
import type { JourneysStack } from '#infra/journeys-stack.ts';
import { synthesizeDefaults } from './synth.ts';

/**
 * Every AWS call a function's code can make is allowed by its role. The
 * manifest ties each variable to its grant and the type checker ties the code
 * to the variables; this ties the code to the actions: a call whose grant is
 * missing (a manifest asking for less than its handler does) fails here, not
 * in production with AccessDenied.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The IAM service prefix of each SDK package the functions import commands from. */
const SERVICE_OF_PACKAGE = new Map([
  ['@aws-sdk/client-dynamodb', 'dynamodb'],
  ['@aws-sdk/lib-dynamodb', 'dynamodb'],
  ['@aws-sdk/client-eventbridge', 'events'],
  ['@aws-sdk/client-pinpoint', 'mobiletargeting'],
  ['@aws-sdk/client-s3', 's3'],
  ['@aws-sdk/client-scheduler', 'scheduler'],
  ['@aws-sdk/client-secrets-manager', 'secretsmanager'],
  ['@aws-sdk/client-sesv2', 'ses'],
  ['@aws-sdk/client-sfn', 'states'],
  ['@aws-sdk/client-sqs', 'sqs'],
]);

/** Commands whose IAM action is not their name (document client commands, S3 and SQS aliases). */
const ACTION_OF_COMMAND = new Map([
  ['@aws-sdk/lib-dynamodb GetCommand', 'dynamodb:GetItem'],
  ['@aws-sdk/lib-dynamodb PutCommand', 'dynamodb:PutItem'],
  ['@aws-sdk/lib-dynamodb UpdateCommand', 'dynamodb:UpdateItem'],
  ['@aws-sdk/lib-dynamodb DeleteCommand', 'dynamodb:DeleteItem'],
  ['@aws-sdk/lib-dynamodb QueryCommand', 'dynamodb:Query'],
  ['@aws-sdk/lib-dynamodb ScanCommand', 'dynamodb:Scan'],
  ['@aws-sdk/lib-dynamodb BatchGetCommand', 'dynamodb:BatchGetItem'],
  ['@aws-sdk/lib-dynamodb BatchWriteCommand', 'dynamodb:BatchWriteItem'],
  ['@aws-sdk/client-s3 ListObjectsV2Command', 's3:ListBucket'],
  ['@aws-sdk/client-s3 HeadObjectCommand', 's3:GetObject'],
  ['@aws-sdk/client-sqs SendMessageBatchCommand', 'sqs:SendMessage'],
]);

const IMPORT = /import\s*\{([^}]*)\}\s*from\s*"(@aws-sdk\/[^"]+)";?/g;

/**
 * The IAM actions behind the SDK commands a bundle uses. The bundle keeps the
 * import of an external package whole, so a command counts only where the
 * code left after tree shaking names it.
 */
function actionsOf(bundle: string): { actions: Set<string>; unknown: string[] } {
  const code = bundle.replace(IMPORT, '');
  const actions = new Set<string>();
  const unknown: string[] = [];
  for (const [, names = '', pkg = ''] of bundle.matchAll(IMPORT)) {
    for (const spec of names.split(',')) {
      const [command = '', local = command] = spec.trim().split(/\s+as\s+/);
      if (!command.endsWith('Command') || !new RegExp(`\\b${local}\\b`).test(code)) continue;
      const service = SERVICE_OF_PACKAGE.get(pkg);
      const action =
        ACTION_OF_COMMAND.get(`${pkg} ${command}`) ??
        (service === undefined || pkg === '@aws-sdk/lib-dynamodb'
          ? undefined
          : `${service}:${command.slice(0, -'Command'.length)}`);
      if (action === undefined) unknown.push(`${pkg} ${command}`);
      else actions.add(action);
    }
  }
  return { actions, unknown };
}

/**
 * A function's code as its bundle keeps it (the house entry, tree-shaken,
 * code loaded later by `await import()` included), the SDK left as imports
 * so that the commands used are named.
 */
async function bundleOf(name: FunctionName): Promise<string> {
  const out = await build({
    entryPoints: [`${root}functions/${name}/handler.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    write: false,
    external: ['@aws-sdk/*', '@smithy/*'],
    logLevel: 'silent',
  });
  return out.outputFiles.map((file) => file.text).join('\n');
}

type Statement = { Effect: string; Action: string | string[] };
type Resource = {
  Type: string;
  Properties: { Roles?: unknown[]; PolicyDocument?: { Statement: Statement[] } };
};

/** The actions the function's role allows (on some resource), from the policies attached to it. */
function allowedActions(
  stack: JourneysStack,
  resources: Record<string, Resource>,
  name: FunctionName,
): string[] {
  const role = JSON.stringify(stack.resolve(stack.functions[name].role.roleName));
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.Roles ?? []).some((ref) => JSON.stringify(ref) === role),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument?.Statement ?? [])
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}

/** Whether an IAM action pattern (`s3:GetObject*`) covers an action. */
function covers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return regex.test(action);
}

const bundles = new Map<FunctionName, string>();
let stack: JourneysStack;
let resources: Record<string, Resource>;

beforeAll(async () => {
  const synth = synthesizeDefaults();
  stack = synth.stack;
  resources = synth.template.toJSON().Resources as Record<string, Resource>;
  const built = await Promise.all(FUNCTION_NAMES.map(bundleOf));
  for (const [i, name] of FUNCTION_NAMES.entries()) bundles.set(name, built[i] ?? '');
}, 120_000);

describe('what each function calls, its role allows', () => {
  it.each(FUNCTION_NAMES)('%s', (name) => {
    // arrange
    const { actions, unknown } = actionsOf(bundles.get(name) ?? '');
    const allowed = allowedActions(stack, resources, name);
    // act
    const denied = [...actions].filter((action) => !allowed.some((pattern) => covers(pattern, action)));
    // assert: every command is known (a new one is added to the tables above), and allowed
    expect(unknown).toEqual([]);
    expect(actions.size).toBeGreaterThan(0);
    expect(denied).toEqual([]);
  });
});

describe('the reading of a bundle', () => {
  it('names the actions of the commands imported, aliases and document client commands included', () => {
    const bundle = [
      'import { StopExecutionCommand as X, SFNClient } from "@aws-sdk/client-sfn";',
      'import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";',
      'import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";',
      'const calls = [new X({}), new GetCommand({}), new UpdateCommand({}), new SendMessageBatchCommand({})];',
    ].join('\n');
    expect([...actionsOf(bundle).actions].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'sqs:SendMessage',
      'states:StopExecution',
    ]);
  });

  it('reports a command it cannot map rather than skipping it', () => {
    const bundle =
      'import { TransactWriteCommand } from "@aws-sdk/lib-dynamodb";\nnew TransactWriteCommand({});';
    expect(actionsOf(bundle).unknown).toEqual(['@aws-sdk/lib-dynamodb TransactWriteCommand']);
  });

  it('leaves out a command imported by a module whose calls tree shaking removed', () => {
    const bundle =
      'import { StartExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";\nnew StopExecutionCommand({});';
    expect([...actionsOf(bundle).actions]).toEqual(['states:StopExecution']);
  });

  it('matches IAM wildcards', () => {
    expect(covers('s3:GetObject*', 's3:GetObjectVersion')).toBe(true);
    expect(covers('states:SendTask*', 'states:StopExecution')).toBe(false);
  });
});
