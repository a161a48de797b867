import { readFile, writeFile } from 'node:fs/promises';
import * as z from 'zod';
import { AwsApiError } from '../../../runtime/http.ts';
import { type MachineRef, machineArn } from './arns.ts';

const Routing = z.array(z.object({ stateMachineVersionArn: z.string(), weight: z.number() }));
export type Routing = z.infer<typeof Routing>;

const Machine = z.object({
  name: z.string(),
  definition: z.string(),
  roleArn: z.string(),
  type: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  revision: z.number().describe('Bumped by every definition change.'),
  versions: z.array(
    z.object({
      version: z.number(),
      definition: z.string(),
      revision: z.number(),
      description: z.string().optional(),
      createdAt: z.number(),
    }),
  ),
  aliases: z.array(
    z.object({
      name: z.string(),
      routing: Routing,
      description: z.string().optional(),
      createdAt: z.number(),
      updatedAt: z.number(),
    }),
  ),
});
export type Machine = z.infer<typeof Machine>;
export type MachineVersion = Machine['versions'][number];
export type MachineAlias = Machine['aliases'][number];

/**
 * State machines with their versions and aliases, kept in a file so that
 * journeys deployed before a restart can still be started on `live`.
 */
export class MachineStore {
  private readonly machines = new Map<string, Machine>();

  private constructor(
    private readonly file: string,
    /** Epoch seconds of journey time, for creation and update dates. */
    private readonly now: () => number,
  ) {}

  static async open(file: string, now: () => number = () => Date.now() / 1000): Promise<MachineStore> {
    const store = new MachineStore(file, now);
    const text = await readFile(file, 'utf8').catch(() => '[]');
    for (const machine of z.array(Machine).parse(JSON.parse(text))) store.machines.set(machine.name, machine);
    return store;
  }

  /** Every state machine name, in creation order. */
  names(): string[] {
    return [...this.machines.keys()];
  }

  get(name: string): Machine {
    const machine = this.machines.get(name);
    if (machine === undefined) {
      throw new AwsApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${machineArn(name)}'`,
      );
    }
    return machine;
  }

  has(name: string): boolean {
    return this.machines.has(name);
  }

  list(): Machine[] {
    return [...this.machines.values()];
  }

  create(fields: Pick<Machine, 'name' | 'definition' | 'roleArn' | 'type'>): Machine {
    const machine: Machine = {
      ...fields,
      createdAt: this.now(),
      updatedAt: this.now(),
      revision: 1,
      versions: [],
      aliases: [],
    };
    this.machines.set(machine.name, machine);
    return machine;
  }

  update(machine: Machine, definition: string | undefined, roleArn: string | undefined): void {
    if (definition !== undefined && definition !== machine.definition) {
      machine.definition = definition;
      machine.revision += 1;
    }
    if (roleArn !== undefined) machine.roleArn = roleArn;
    machine.updatedAt = this.now();
  }

  /** Publishes the current revision; publishing an unchanged revision returns its version, as AWS does. */
  publish(machine: Machine, description: string | undefined): MachineVersion {
    const latest = machine.versions.at(-1);
    if (latest !== undefined && latest.revision === machine.revision) return latest;
    const version: MachineVersion = {
      version: (latest?.version ?? 0) + 1,
      definition: machine.definition,
      revision: machine.revision,
      description,
      createdAt: this.now(),
    };
    machine.versions.push(version);
    return version;
  }

  version(machine: Machine, number: number): MachineVersion {
    const version = machine.versions.find((v) => v.version === number);
    if (version === undefined) {
      throw new AwsApiError('ResourceNotFound', `Version ${number} of ${machine.name} does not exist`);
    }
    return version;
  }

  alias(machine: Machine, name: string): MachineAlias {
    const alias = machine.aliases.find((a) => a.name === name);
    if (alias === undefined)
      throw new AwsApiError('ResourceNotFound', `Alias ${name} of ${machine.name} does not exist`);
    return alias;
  }

  /** The definition and version a reference starts an execution on (an alias picks by weight). */
  resolve(ref: MachineRef): {
    machine: Machine;
    definition: string;
    version?: MachineVersion;
    alias?: MachineAlias;
  } {
    const machine = this.get(ref.machine);
    if (ref.version !== undefined) {
      const version = this.version(machine, ref.version);
      return { machine, definition: version.definition, version };
    }
    if (ref.alias === undefined) return { machine, definition: machine.definition };
    const alias = this.alias(machine, ref.alias);
    const number = pickVersion(alias.routing);
    const version = this.version(machine, number);
    return { machine, definition: version.definition, version, alias };
  }

  /**
   * Drops the versions of a machine `keep` does not want; a version an alias
   * routes to is always kept (AWS refuses to delete it too).
   */
  pruneVersions(machine: Machine, keep: (version: MachineVersion) => boolean): MachineVersion[] {
    const routed = new Set(
      machine.aliases.flatMap((a) => a.routing.map((r) => versionOf(r.stateMachineVersionArn))),
    );
    const dropped = machine.versions.filter((v) => !routed.has(v.version) && !keep(v));
    if (dropped.length > 0) machine.versions = machine.versions.filter((v) => !dropped.includes(v));
    return dropped;
  }

  async save(): Promise<void> {
    await writeFile(this.file, JSON.stringify([...this.machines.values()], null, 2));
  }
}

function pickVersion(routing: Routing): number {
  let roll = Math.random() * 100;
  for (const route of routing) {
    roll -= route.weight;
    if (roll < 0) return versionOf(route.stateMachineVersionArn);
  }
  return versionOf(routing[0]?.stateMachineVersionArn ?? '');
}

function versionOf(arn: string): number {
  const number = Number(arn.split(':').at(-1));
  if (!Number.isInteger(number)) throw new AwsApiError('ValidationException', `Not a version ARN: ${arn}`);
  return number;
}
