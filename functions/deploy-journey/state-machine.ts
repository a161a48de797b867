import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  PublishStateMachineVersionCommand,
  type SFNClient,
  TagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';

/**
 * Create-or-update of `journey-<id>`, a published version, and the `live`
 * alias moved to it. Running executions keep the version they started on.
 */

export type Published = { stateMachineArn: string; versionArn: string; version: string; aliasArn: string };
type Known = { stateMachineArn?: string; aliasArn?: string };

const LIVE_ALIAS = 'live';

function named(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

/** The ARN a state machine has in the role's account and the client's region. */
async function stateMachineArnOf(sfn: SFNClient, roleArn: string, name: string): Promise<string> {
  const [, partition = 'aws', , , account = ''] = roleArn.split(':');
  const region = await sfn.config.region();
  return `arn:${partition}:states:${region}:${account}:stateMachine:${name}`;
}

/** Execution history to CloudWatch Logs: failures only, no customer data in the logs. */
function logging(logGroupArn: string | undefined) {
  if (logGroupArn === undefined) return {};
  return {
    loggingConfiguration: {
      level: 'ERROR' as const,
      includeExecutionData: false,
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn } }],
    },
  };
}

type MachineInput = {
  name: string;
  definition: string;
  roleArn: string;
  logGroupArn?: string;
  /** The stack's tags: on the state machine, where Step Functions bills journeys. */
  tags?: ReadonlyMap<string, string>;
};

/** The tags in the shape Step Functions takes them, or none. */
function tagList(tags: ReadonlyMap<string, string> | undefined) {
  return [...(tags ?? [])].map(([key, value]) => ({ key, value }));
}

async function upsertStateMachine(sfn: SFNClient, input: MachineInput, known: Known) {
  const { name, definition, roleArn } = input;
  const tags = tagList(input.tags);
  let arn = known.stateMachineArn;
  if (arn === undefined) {
    try {
      const out = await sfn.send(
        new CreateStateMachineCommand({
          name,
          definition,
          roleArn,
          type: 'STANDARD',
          ...logging(input.logGroupArn),
          ...(tags.length === 0 ? {} : { tags }),
        }),
      );
      return { arn: out.stateMachineArn ?? '', revisionId: undefined };
    } catch (error) {
      // The registry lost track of a machine that exists: update it instead.
      if (!named(error, 'StateMachineAlreadyExists')) throw error;
      arn = await stateMachineArnOf(sfn, roleArn, name);
    }
  }
  // Tags changed on the stack since the state machine was created reach it with its next deploy.
  if (tags.length > 0) await sfn.send(new TagResourceCommand({ resourceArn: arn, tags }));
  const out = await sfn.send(
    new UpdateStateMachineCommand({
      stateMachineArn: arn,
      definition,
      roleArn,
      ...logging(input.logGroupArn),
    }),
  );
  return { arn, revisionId: out.revisionId };
}

async function moveAlias(
  sfn: SFNClient,
  stateMachineArn: string,
  versionArn: string,
  known: Known,
): Promise<string> {
  const routingConfiguration = [{ stateMachineVersionArn: versionArn, weight: 100 }];
  const update = async (aliasArn: string) => {
    await sfn.send(
      new UpdateStateMachineAliasCommand({ stateMachineAliasArn: aliasArn, routingConfiguration }),
    );
    return aliasArn;
  };
  if (known.aliasArn !== undefined) return update(known.aliasArn);
  try {
    const out = await sfn.send(
      new CreateStateMachineAliasCommand({ name: LIVE_ALIAS, routingConfiguration }),
    );
    return out.stateMachineAliasArn ?? '';
  } catch (error) {
    if (!named(error, 'ConflictException', 'ResourceAlreadyExists')) throw error;
    return update(`${stateMachineArn}:${LIVE_ALIAS}`);
  }
}

/**
 * Publishes the current revision. At the version quota (a state machine whose
 * old versions were never deleted) `makeRoom` deletes some, and it is tried once more.
 */
async function publishVersion(
  sfn: SFNClient,
  command: PublishStateMachineVersionCommand,
  makeRoom: () => Promise<unknown>,
) {
  try {
    return await sfn.send(command);
  } catch (error) {
    if (!named(error, 'ServiceQuotaExceededException')) throw error;
    await makeRoom();
    return sfn.send(command);
  }
}

/** Deploys a definition: create or update, publish a version, move `live` to it. */
export async function publishJourney(
  sfn: SFNClient,
  input: MachineInput & { description: string },
  known: Known,
  makeRoom: (stateMachineArn: string) => Promise<unknown>,
): Promise<Published> {
  const machine = await upsertStateMachine(sfn, input, known);
  const command = new PublishStateMachineVersionCommand({
    stateMachineArn: machine.arn,
    ...(machine.revisionId === undefined ? {} : { revisionId: machine.revisionId }),
    description: input.description.slice(0, 256),
  });
  const published = await publishVersion(sfn, command, () => makeRoom(machine.arn));
  const versionArn = published.stateMachineVersionArn ?? '';
  const version = versionArn.slice(versionArn.lastIndexOf(':') + 1);
  const aliasArn = await moveAlias(sfn, machine.arn, versionArn, known);
  return { stateMachineArn: machine.arn, versionArn, version, aliasArn };
}
