import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { answerDocumentCalls } from '#functions/_lib/clients/document-calls.ts';

/**
 * DynamoDB calls counted by who made them (a label the test sets, such as
 * the handler being run), table and operation. Counts are deterministic for
 * a given path, so a test can hold a path to the calls it makes.
 */
export class DynamoCalls {
  /** Who the calls made from now on are counted for. */
  label = '';
  private readonly counts = new Map<string, number>();
  /** When set, every call is also listed here in order (`label table operation`, with ` refused` when its condition failed). */
  log?: string[];

  constructor(
    /** Table name → the name counted (e.g. `test-profiles` → `profiles`). */
    private readonly tableOf: (name: string) => string = (name) => name.replace(/^[^-]+-/, ''),
  ) {}

  /** Counts every call made through `doc` (its `send`, and the repositories' calls, which go through `send` from now on). */
  watch(doc: DynamoDBDocumentClient): void {
    this.patch(doc);
    answerDocumentCalls(doc, {
      get: (input) => doc.send(new GetCommand(input)),
      put: (input) => doc.send(new PutCommand(input)),
      update: (input) => doc.send(new UpdateCommand(input)),
      delete: (input) => doc.send(new DeleteCommand(input)),
      query: (input) => doc.send(new QueryCommand(input)),
    });
  }

  /** Counts every call made through a low-level client (Step Functions' dynamodb:updateItem integration). */
  watchLowLevel(client: DynamoDBClient): void {
    this.patch(client);
  }

  private patch(client: DynamoDBClient | DynamoDBDocumentClient): void {
    const send = client.send;
    Reflect.set(client, 'send', async (command: unknown, ...rest: unknown[]) => {
      const key = this.count(command);
      try {
        const out: unknown = await Reflect.apply(send, client, [command, ...rest]);
        this.log?.push(key.replaceAll('\t', ' '));
        return out;
      } catch (error) {
        this.log?.push(`${key.replaceAll('\t', ' ')} ${error instanceof Error ? error.name : 'error'}`);
        throw error;
      }
    });
  }

  private count(command: unknown): string {
    if (typeof command !== 'object' || command === null) return '';
    const operation = command.constructor.name.replace(/Command$/, '');
    const input = 'input' in command ? command.input : undefined;
    const table =
      typeof input === 'object' &&
      input !== null &&
      'TableName' in input &&
      typeof input.TableName === 'string'
        ? this.tableOf(input.TableName)
        : '-';
    const key = `${this.label}\t${table}\t${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return key;
  }

  /** The calls counted so far, `label table operation` → count, sorted. */
  get all(): Map<string, number> {
    return new Map([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The calls counted for `label`, `table operation` → count, sorted; or for every label when omitted. */
  of(label?: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, n] of this.all) {
      const [l, table, operation] = key.split('\t');
      if (label !== undefined && l !== label) continue;
      const k = `${table} ${operation}`;
      out[k] = (out[k] ?? 0) + n;
    }
    return out;
  }

  /** How many calls were counted for `label` (every label when omitted). */
  total(label?: string): number {
    return Object.values(this.of(label)).reduce((a, b) => a + b, 0);
  }

  reset(): void {
    this.counts.clear();
  }
}
