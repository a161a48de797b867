import { Duration, Validations } from 'aws-cdk-lib';
import { type EventPattern as CdkEventPattern, EventBus, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { EventPattern } from '../routes.ts';

/** How long EventBridge keeps retrying a target before the event goes to the dead-letter queue. */
const TARGET_RETRY = { retryAttempts: 10, maxEventAge: Duration.hours(6) } as const;

/**
 * EventBridge hands an event to Lambda asynchronously: once Lambda has
 * accepted it, a function error is retried by Lambda (twice), never by
 * EventBridge. Without a failure destination an event that still fails —
 * a bounce that must suppress the address, a customer event — would be
 * dropped; with it, it lands in the same dead-letter queue, under the same alarm.
 */
export const ASYNC_RETRY = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

const strings = (values: unknown): string[] | undefined =>
  Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : undefined;

/** Our plain pattern (EventBridge's own field names) in the shape CDK's Rule takes. */
function toCdkPattern(pattern: EventPattern): CdkEventPattern {
  const detail = pattern.detail;
  return {
    ...(pattern.source ? { source: strings(pattern.source) } : {}),
    ...(pattern['detail-type'] ? { detailType: strings(pattern['detail-type']) } : {}),
    ...(detail && !Array.isArray(detail) ? { detail: { ...detail } } : {}),
  };
}

/** An encrypted queue that refuses plain-HTTP access. */
export function secureQueue(scope: Construct, id: string, reason: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  return queue;
}

/**
 * The customer event bus, the default bus (where AWS services publish S3, SES
 * and SMS events), and the rules that route to the functions — every target
 * with a retry policy and one shared dead-letter queue.
 */
export class EventRouting extends Construct {
  readonly customerBus: EventBus;
  readonly defaultBus: IEventBus;
  readonly deadLetters: Queue;
  readonly rules: Rule[] = [];
  /** Functions whose asynchronous invocations already fail over to the dead-letter queue (one configuration each). */
  private readonly failingOver = new Set<IFunction>();

  constructor(scope: Construct, id: string, props: { eventBusName: string }) {
    super(scope, id);
    this.customerBus = new EventBus(this, 'CustomerEvents', { eventBusName: props.eventBusName });
    this.defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.deadLetters = secureQueue(
      this,
      'DeadLetters',
      'This queue is itself the dead-letter queue of the EventBridge targets and of their functions; an alarm watches its depth.',
    );
  }

  /**
   * The partner event bus of a SaaS partner's event source: same name as the
   * source, which the partner must have created (pending) before the deploy.
   */
  partnerBus(id: string, source: string): EventBus {
    // CDK names the bus after the source (a partner bus must carry its source's name).
    return new EventBus(this, id, { eventSourceName: source });
  }

  /** Routes the events matching `pattern` on `bus` to `fn`. */
  route(id: string, bus: IEventBus, pattern: EventPattern, fn: IFunction, description: string): Rule {
    const rule = new Rule(this, id, { eventBus: bus, eventPattern: toCdkPattern(pattern), description });
    rule.addTarget(new LambdaFunction(fn, { ...TARGET_RETRY, deadLetterQueue: this.deadLetters }));
    if (!this.failingOver.has(fn)) {
      fn.configureAsyncInvoke({ ...ASYNC_RETRY, onFailure: new SqsDestination(this.deadLetters) });
      this.failingOver.add(fn);
    }
    this.rules.push(rule);
    return rule;
  }
}
