import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../../runtime/aws.ts';
import { AwsApiError } from '../../../runtime/http.ts';

const PREFIX = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:`;

export function machineArn(name: string): string {
  return `${PREFIX}stateMachine:${name}`;
}

export function executionArn(machine: string, name: string): string {
  return `${PREFIX}execution:${machine}:${name}`;
}

/** A state machine ARN, qualified by a version number, an alias name, or neither. */
export type MachineRef = { machine: string; version?: number; alias?: string };

/** Parses `...:stateMachine:<name>[:<version>|:<alias>]`. */
export function parseMachineArn(arn: string): MachineRef {
  const marker = ':stateMachine:';
  const at = arn.indexOf(marker);
  if (at < 0) throw new AwsApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  const [machine = '', qualifier] = arn.slice(at + marker.length).split(':');
  if (qualifier === undefined) return { machine };
  return /^\d+$/.test(qualifier) ? { machine, version: Number(qualifier) } : { machine, alias: qualifier };
}

/** Parses `...:execution:<machine>:<name>`. */
export function parseExecutionArn(arn: string): { machine: string; name: string } {
  const marker = ':execution:';
  const at = arn.indexOf(marker);
  const [machine, name] = at < 0 ? [] : arn.slice(at + marker.length).split(':');
  if (machine === undefined || name === undefined)
    throw new AwsApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  return { machine, name };
}
