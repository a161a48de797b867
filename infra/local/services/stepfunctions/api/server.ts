import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import * as z from 'zod';
import {
  AwsApiError,
  createAwsJsonServer,
  type JsonOperation,
  parseRequest as parse,
} from '../../../runtime/http.ts';
import { machineArn, parseMachineArn } from './arns.ts';
import type { ExecutionRecord } from './executions.ts';
import type { Machine, Routing } from './machines.ts';
import { executionItem, readOperations } from './read-api.ts';
import type { LocalStepFunctions } from './service.ts';

const RoutingInput = z.array(
  z.object({ stateMachineVersionArn: z.string(), weight: z.number().min(0).max(100) }),
);

const inputs = {
  CreateStateMachine: z.object({
    name: z.string().min(1).max(80),
    definition: z.string(),
    roleArn: z.string(),
    type: z.enum(['STANDARD', 'EXPRESS']).default('STANDARD'),
    publish: z.boolean().optional(),
    versionDescription: z.string().optional(),
  }),
  UpdateStateMachine: z.object({
    stateMachineArn: z.string(),
    definition: z.string().optional(),
    roleArn: z.string().optional(),
    publish: z.boolean().optional(),
    versionDescription: z.string().optional(),
  }),
  ByMachine: z.object({ stateMachineArn: z.string() }),
  ByVersion: z.object({ stateMachineVersionArn: z.string() }),
  Publish: z.object({ stateMachineArn: z.string(), description: z.string().optional() }),
  CreateAlias: z.object({
    name: z.string(),
    routingConfiguration: RoutingInput,
    description: z.string().optional(),
  }),
  UpdateAlias: z.object({
    stateMachineAliasArn: z.string(),
    routingConfiguration: RoutingInput.optional(),
    description: z.string().optional(),
  }),
  ByAlias: z.object({ stateMachineAliasArn: z.string() }),
  Start: z.object({
    stateMachineArn: z.string(),
    name: z.string().max(80).optional(),
    input: z.string().default('{}'),
  }),
  Stop: z.object({ executionArn: z.string(), error: z.string().optional(), cause: z.string().optional() }),
  ByExecution: z.object({ executionArn: z.string() }),
  Success: z.object({ taskToken: z.string(), output: z.string() }),
  Failure: z.object({ taskToken: z.string(), error: z.string().optional(), cause: z.string().optional() }),
  Heartbeat: z.object({ taskToken: z.string() }),
};

/** The Step Functions API (AWS JSON 1.0, `AWSStepFunctions.*`) the handlers and the AWS CLI call. */
export function createStepFunctionsServer(sfn: LocalStepFunctions): Server {
  return createAwsJsonServer('AWSStepFunctions', '1.0', stepFunctionsOperations(sfn));
}

function stepFunctionsOperations(sfn: LocalStepFunctions): Record<string, JsonOperation> {
  return {
    ...machineOperations(sfn),
    ...aliasOperations(sfn),
    ...executionOperations(sfn),
    ...readOperations(sfn),
  };
}

function machineOperations(sfn: LocalStepFunctions): Record<string, JsonOperation> {
  const store = sfn.machines;
  return {
    CreateStateMachine: async (input) => {
      const request = parse(inputs.CreateStateMachine, input);
      if (store.has(request.name)) {
        const existing = store.get(request.name);
        // Same definition and role: AWS treats the call as idempotent.
        if (existing.definition !== request.definition || existing.roleArn !== request.roleArn) {
          throw new AwsApiError(
            'StateMachineAlreadyExists',
            `State Machine Already Exists: '${machineArn(request.name)}'`,
          );
        }
        return { stateMachineArn: machineArn(existing.name), creationDate: existing.createdAt };
      }
      sfn.validate(request.name, request.definition);
      const machine = store.create(request);
      const version = request.publish ? store.publish(machine, request.versionDescription) : undefined;
      await sfn.saveMachines();
      return {
        stateMachineArn: machineArn(machine.name),
        creationDate: machine.createdAt,
        ...(version && { stateMachineVersionArn: `${machineArn(machine.name)}:${version.version}` }),
      };
    },
    UpdateStateMachine: async (input) => {
      const request = parse(inputs.UpdateStateMachine, input);
      const machine = store.get(parseMachineArn(request.stateMachineArn).machine);
      if (request.definition !== undefined) sfn.validate(machine.name, request.definition);
      store.update(machine, request.definition, request.roleArn);
      const version = request.publish ? store.publish(machine, request.versionDescription) : undefined;
      await sfn.saveMachines();
      return {
        updateDate: machine.updatedAt,
        revisionId: String(machine.revision),
        ...(version && { stateMachineVersionArn: `${machineArn(machine.name)}:${version.version}` }),
      };
    },
    DescribeStateMachine: (input) => describeMachine(sfn, parse(inputs.ByMachine, input).stateMachineArn),
    PublishStateMachineVersion: async (input) => {
      const request = parse(inputs.Publish, input);
      const machine = store.get(parseMachineArn(request.stateMachineArn).machine);
      const version = store.publish(machine, request.description);
      await sfn.saveMachines();
      return {
        creationDate: version.createdAt,
        stateMachineVersionArn: `${machineArn(machine.name)}:${version.version}`,
      };
    },
    ListStateMachineVersions: (input) => {
      const machine = store.get(parseMachineArn(parse(inputs.ByMachine, input).stateMachineArn).machine);
      const stateMachineVersions = store
        .listed(machine)
        .reverse()
        .map((v) => ({
          stateMachineVersionArn: `${machineArn(machine.name)}:${v.version}`,
          creationDate: v.createdAt,
        }));
      return { stateMachineVersions };
    },
    DeleteStateMachineVersion: async (input) => {
      const ref = parseMachineArn(parse(inputs.ByVersion, input).stateMachineVersionArn);
      if (ref.version === undefined) {
        throw new AwsApiError('ValidationException', 'stateMachineVersionArn must name a version');
      }
      await sfn.deleteVersion(ref.machine, ref.version);
      return {};
    },
  };
}

function describeMachine(sfn: LocalStepFunctions, arn: string) {
  const ref = parseMachineArn(arn);
  const machine = sfn.machines.get(ref.machine);
  const version = ref.version === undefined ? undefined : sfn.machines.version(machine, ref.version);
  return {
    stateMachineArn: arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: version?.definition ?? machine.definition,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: version?.createdAt ?? machine.createdAt,
    revisionId: String(version?.revision ?? machine.revision),
    ...(version?.description !== undefined && { description: version.description }),
  };
}

function aliasOperations(sfn: LocalStepFunctions): Record<string, JsonOperation> {
  const store = sfn.machines;
  return {
    CreateStateMachineAlias: async (input) => {
      const request = parse(inputs.CreateAlias, input);
      const machine = machineOfRouting(sfn, request.routingConfiguration);
      const existing = machine.aliases.find((a) => a.name === request.name);
      const arn = `${machineArn(machine.name)}:${request.name}`;
      if (existing !== undefined) {
        if (JSON.stringify(existing.routing) !== JSON.stringify(request.routingConfiguration)) {
          throw new AwsApiError(
            'ConflictException',
            `Alias ${request.name} already exists with another routing`,
          );
        }
        return { stateMachineAliasArn: arn, creationDate: existing.createdAt };
      }
      const alias = {
        name: request.name,
        routing: request.routingConfiguration,
        createdAt: sfn.nowSeconds(),
        updatedAt: sfn.nowSeconds(),
      };
      machine.aliases.push({
        ...alias,
        ...(request.description !== undefined && { description: request.description }),
      });
      await sfn.saveMachines();
      return { stateMachineAliasArn: arn, creationDate: alias.createdAt };
    },
    UpdateStateMachineAlias: async (input) => {
      const request = parse(inputs.UpdateAlias, input);
      const ref = parseMachineArn(request.stateMachineAliasArn);
      const alias = store.alias(store.get(ref.machine), ref.alias ?? '');
      if (request.routingConfiguration !== undefined) {
        machineOfRouting(sfn, request.routingConfiguration);
        alias.routing = request.routingConfiguration;
      }
      if (request.description !== undefined) alias.description = request.description;
      alias.updatedAt = sfn.nowSeconds();
      await sfn.saveMachines();
      return { updateDate: alias.updatedAt };
    },
    DescribeStateMachineAlias: (input) => {
      const arn = parse(inputs.ByAlias, input).stateMachineAliasArn;
      const ref = parseMachineArn(arn);
      const alias = store.alias(store.get(ref.machine), ref.alias ?? '');
      return {
        stateMachineAliasArn: arn,
        name: alias.name,
        routingConfiguration: alias.routing,
        creationDate: alias.createdAt,
        updateDate: alias.updatedAt,
        ...(alias.description !== undefined && { description: alias.description }),
      };
    },
  };
}

/** The machine every version of a routing belongs to; each version must exist. */
function machineOfRouting(sfn: LocalStepFunctions, routing: Routing): Machine {
  const refs = routing.map((r) => parseMachineArn(r.stateMachineVersionArn));
  const first = refs[0];
  if (first === undefined || refs.some((r) => r.version === undefined || r.machine !== first.machine)) {
    throw new AwsApiError(
      'ValidationException',
      'routingConfiguration must name versions of one state machine',
    );
  }
  const machine = sfn.machines.get(first.machine);
  for (const ref of refs) sfn.machines.version(machine, ref.version ?? 0);
  return machine;
}

function executionOperations(sfn: LocalStepFunctions): Record<string, JsonOperation> {
  return {
    StartExecution: async (input) => {
      const request = parse(inputs.Start, input);
      const record = await sfn.startExecution(
        request.stateMachineArn,
        request.name ?? randomUUID(),
        request.input,
      );
      return { executionArn: record.executionArn, startDate: record.startDate };
    },
    StopExecution: (input) => {
      const request = parse(inputs.Stop, input);
      sfn.stopExecution(request.executionArn, request.error, request.cause);
      return { stopDate: sfn.nowSeconds() };
    },
    DescribeExecution: (input) =>
      describeExecution(sfn.describeExecution(parse(inputs.ByExecution, input).executionArn)),
    SendTaskSuccess: (input) => {
      const request = parse(inputs.Success, input);
      sfn.sendTaskSuccess(request.taskToken, request.output);
      return {};
    },
    SendTaskFailure: (input) => {
      const request = parse(inputs.Failure, input);
      sfn.sendTaskFailure(request.taskToken, request.error, request.cause);
      return {};
    },
    SendTaskHeartbeat: (input) => {
      parse(inputs.Heartbeat, input);
      return {};
    },
  };
}

function describeExecution(record: ExecutionRecord) {
  return {
    ...executionItem(record),
    input: record.input,
    ...(record.output !== undefined && { output: record.output }),
    ...(record.error !== undefined && { error: record.error }),
    ...(record.cause !== undefined && { cause: record.cause }),
  };
}
