import type { DynamoDBDocumentClient, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/lib-dynamodb';
import type { SerializeHandler } from '@smithy/types';

type Handler = (command: unknown) => Promise<{ output: unknown }>;
type Stack = DynamoDBDocumentClient['middlewareStack'];

/** What a document command (lib-dynamodb) is made of: the low-level command it sends, and its marshalling. */
type DocumentCommand = {
  clientCommand: { resolveMiddleware: (stack: Stack, config: unknown, options: undefined) => Handler };
  middlewareStack: Stack;
  addMarshallingMiddleware: (config: unknown) => void;
};

/** The stack's methods that change which middleware a call goes through. */
const MUTATORS = ['add', 'addRelativeTo', 'use', 'remove', 'removeByTag'] as const;

/**
 * Makes `doc` build the middleware of each kind of document command once and
 * reuse it, as the SDK's own `cacheMiddleware` option does for low-level
 * clients (the document client refuses that option). Every `send` otherwise
 * copies the client's stack into the command's, sorts it and wraps each
 * middleware anew, twice (the document command and the low-level one it
 * sends): about a sixth of the CPU of a call to dynalite in-process, where
 * the local runtime's handlers and the tests make tens of calls per event.
 * Each call still goes through every middleware (marshalling, serialization,
 * retries, the request handler) with its own input; a middleware added to
 * or removed from the client's stack later applies from the next call; a
 * call with options is sent as always.
 */
export function reuseResolvedHandlers(
  doc: DynamoDBDocumentClient,
  { fixedEndpoint = false }: { fixedEndpoint?: boolean } = {},
): DynamoDBDocumentClient {
  const handlers = new Map<unknown, Handler>();
  const stack = doc.middlewareStack;
  for (const name of MUTATORS) {
    const method: (...args: never[]) => unknown = stack[name];
    Object.assign(stack, {
      [name]: (...args: never[]) => {
        handlers.clear();
        return method.apply(stack, args);
      },
    });
  }
  const send = doc.send.bind(doc) as (command: unknown, options?: unknown) => Promise<unknown>;
  const sendReusing = (command: unknown, options?: unknown): Promise<unknown> => {
    if (options !== undefined || !isDocumentCommand(command)) return send(command, options);
    let handler = handlers.get(command.constructor);
    if (handler === undefined) {
      // What the document command's own resolveMiddleware does, keeping the low-level handler, which
      // reads each call's input from the command it is given (the document command's closes over itself).
      command.addMarshallingMiddleware(doc.config);
      const commandStack = stack.concat(command.middlewareStack);
      if (fixedEndpoint) withFixedEndpoint(commandStack);
      handler = command.clientCommand.resolveMiddleware(commandStack, doc.config, undefined);
      handlers.set(command.constructor, handler);
    }
    return handler(command.clientCommand).then((result) => result.output);
  };
  return Object.assign(doc, { send: sendReusing });
}

/**
 * The endpoint a client's config names, for every call: the low-level
 * command's endpoint step (its rules, evaluated per call from a copy of the
 * whole config) becomes one that passes the request on, and the serializer
 * takes the config's endpoint. The low-level command adds its steps to the
 * stack it is given when its middleware is resolved, so the step is replaced
 * in what it makes of that stack.
 */
function withFixedEndpoint(commandStack: Stack): void {
  const concat = commandStack.concat.bind(commandStack);
  Object.assign(commandStack, {
    concat: (other: Parameters<Stack['concat']>[0]) => {
      const all = concat(other);
      // An SDK that named the step otherwise would keep its rules beside this one: it fails instead.
      if (!all.identify().some((entry) => entry.startsWith(`${ENDPOINT_STEP.name} `)))
        throw new Error(`the SDK's command has no ${ENDPOINT_STEP.name} step to replace`);
      all.addRelativeTo((next: SerializeHandler<ServiceInputTypes, ServiceOutputTypes>) => next, {
        ...ENDPOINT_STEP,
        tags: [...ENDPOINT_STEP.tags],
      });
      return all;
    },
  });
}

/** Where the SDK's endpoint step sits (its name, relation and tags), which `override` replaces. */
const ENDPOINT_STEP = {
  name: 'endpointV2Middleware',
  override: true,
  relation: 'before',
  toMiddleware: 'serializerMiddleware',
  tags: ['ENDPOINT_PARAMETERS', 'ENDPOINT_V2', 'ENDPOINT'],
} as const;

function isDocumentCommand(command: unknown): command is DocumentCommand {
  if (typeof command !== 'object' || command === null) return false;
  const clientCommand: unknown = Reflect.get(command, 'clientCommand');
  return (
    typeof Reflect.get(command, 'addMarshallingMiddleware') === 'function' &&
    typeof clientCommand === 'object' &&
    clientCommand !== null &&
    typeof Reflect.get(clientCommand, 'resolveMiddleware') === 'function'
  );
}
