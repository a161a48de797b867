/**
 * The resources a compiled journey names. The same definition serves CDK
 * (`definitionSubstitutions`, with {@link PLACEHOLDER_BINDINGS}), the deploy
 * handler (real ARNs) and the local runtime (local ARNs).
 */
export type Bindings = {
  /** The send-message Lambda function ARN. */
  sendMessageFunctionArn: string;
  /** The evaluate Lambda function ARN (branch decisions, wait-until times). */
  evaluateFunctionArn: string;
  /** The await-event Lambda function ARN or name (called with a task token). */
  awaitEventFunctionArn: string;
  /** The profiles table name. */
  profilesTableName: string;
  /** The event bus that `emit` steps put events on. */
  eventBusName: string;
  /**
   * EventBridge connection ARNs by connection name, for webhook steps; a
   * name not listed compiles to a `${Connection_<name>}` placeholder.
   */
  connectionArns?: ReadonlyMap<string, string>;
};

/** The `definitionSubstitutions` key of each binding. */
const SUBSTITUTION_KEYS = {
  sendMessageFunctionArn: 'SendMessageFunctionArn',
  evaluateFunctionArn: 'EvaluateFunctionArn',
  awaitEventFunctionArn: 'AwaitEventFunctionArn',
  profilesTableName: 'ProfilesTableName',
  eventBusName: 'EventBusName',
} as const satisfies Record<Exclude<keyof Bindings, 'connectionArns'>, string>;

/** A CloudFormation-style `${Key}` placeholder, replaced at deploy by definitionSubstitutions. */
const placeholder = (key: string): string => `\${${key}}`;

/** Bindings as `${Key}` placeholders, for CDK `definitionSubstitutions`. */
export const PLACEHOLDER_BINDINGS: Bindings = {
  sendMessageFunctionArn: placeholder(SUBSTITUTION_KEYS.sendMessageFunctionArn),
  evaluateFunctionArn: placeholder(SUBSTITUTION_KEYS.evaluateFunctionArn),
  awaitEventFunctionArn: placeholder(SUBSTITUTION_KEYS.awaitEventFunctionArn),
  profilesTableName: placeholder(SUBSTITUTION_KEYS.profilesTableName),
  eventBusName: placeholder(SUBSTITUTION_KEYS.eventBusName),
};

/** The ARN of a webhook connection, or its `${Connection_<name>}` placeholder. */
export function connectionArn(bindings: Bindings, name: string): string {
  return bindings.connectionArns?.get(name) ?? placeholder(`Connection_${name}`);
}
