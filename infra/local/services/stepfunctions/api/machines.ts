import { readFile, rename, writeFile } from 'node:fs/promises';
import * as z from 'zod';
import { MAX_STATE_MACHINE_VERSIONS, versionsToDelete } from '#shared/journey/version-retention.ts';
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
  lastVersion: z
    .number()
    .optional()
    .describe('The highest version number published: numbers are never reused.'),
  versions: z.array(
    z.object({
      version: z.number(),
      definition: z.string(),
      revision: z.number(),
      description: z.string().optional(),
      createdAt: z.number(),
      retired: z
        .boolean()
        .optional()
        .describe('Deleted, but kept for the executions still running on it (AWS lets them finish).'),
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
  private saving: Promise<void> = Promise.resolve();

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
    if (latest !== undefined && latest.retired !== true && latest.revision === machine.revision)
      return latest;
    if (this.listed(machine).length >= MAX_STATE_MACHINE_VERSIONS) {
      throw new AwsApiError(
        'ServiceQuotaExceededException',
        `${machine.name} has ${MAX_STATE_MACHINE_VERSIONS} versions; delete unused ones first`,
      );
    }
    const number = Math.max(machine.lastVersion ?? 0, latest?.version ?? 0) + 1;
    machine.lastVersion = number;
    const version: MachineVersion = {
      version: number,
      definition: machine.definition,
      revision: machine.revision,
      description,
      createdAt: this.now(),
    };
    machine.versions.push(version);
    return version;
  }

  /** The published versions, oldest first (not those deleted while executions still run on them). */
  listed(machine: Machine): MachineVersion[] {
    return machine.versions.filter((v) => v.retired !== true);
  }

  version(machine: Machine, number: number): MachineVersion {
    const version = this.listed(machine).find((v) => v.version === number);
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

  /** The definition of a version an execution runs on, deleted or not. */
  definitionOfVersion(machine: Machine, number: number): string {
    const version = machine.versions.find((v) => v.version === number);
    if (version === undefined) {
      throw new AwsApiError('ResourceNotFound', `Version ${number} of ${machine.name} does not exist`);
    }
    return version.definition;
  }

  /**
   * DeleteStateMachineVersion: refused for a version an alias routes to, as
   * AWS does; a version executions still run on is only retired (hidden) so
   * that they finish on it.
   */
  deleteVersion(machine: Machine, number: number, running: ReadonlySet<number>): void {
    const version = this.version(machine, number);
    if (routedVersions(machine).has(number)) {
      throw new AwsApiError(
        'ConflictException',
        `Version ${number} of ${machine.name} is routed to by an alias; move the alias first`,
      );
    }
    this.retire(machine, [version.version], running);
  }

  /**
   * Deletes the versions the shared retention rule gives up (the alias
   * targets and, besides them, the newest `keep` stay), and forgets deleted versions no
   * execution runs on any more.
   */
  pruneVersions(machine: Machine, keep: number, running: ReadonlySet<number>): void {
    const versions = this.listed(machine).map((v) => v.version);
    this.retire(machine, versionsToDelete({ versions, routed: routedVersions(machine), keep }), running);
  }

  private retire(machine: Machine, numbers: readonly number[], running: ReadonlySet<number>): void {
    const doomed = new Set(numbers);
    for (const v of machine.versions) if (doomed.has(v.version)) v.retired = true;
    machine.versions = machine.versions.filter((v) => v.retired !== true || running.has(v.version));
  }

  /**
   * Written whole then renamed over the file, one save after the other: a
   * process killed meanwhile leaves the previous file, never half of one.
   */
  save(): Promise<void> {
    const next = this.saving.then(async () => {
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, JSON.stringify([...this.machines.values()], null, 2));
      await rename(tmp, this.file);
    });
    this.saving = next.catch(() => undefined);
    return next;
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

function routedVersions(machine: Machine): Set<number> {
  return new Set(machine.aliases.flatMap((a) => a.routing.map((r) => versionOf(r.stateMachineVersionArn))));
}

function versionOf(arn: string): number {
  const number = Number(arn.split(':').at(-1));
  if (!Number.isInteger(number)) throw new AwsApiError('ValidationException', `Not a version ARN: ${arn}`);
  return number;
}
