import type { Channel } from '#shared/channels.ts';
import { type ActivityContext, noteUnread, type StepInput, target } from './context.ts';
import { pathOf } from './notes.ts';
import type { PinpointActivity } from './schema.ts';

type MessageActivity = { NextActivity?: string; TemplateName?: string; TemplateVersion?: string };

const MESSAGE_FIELDS = ['NextActivity', 'TemplateName', 'TemplateVersion', 'MessageConfig'];

function templateOf(
  ctx: ActivityContext,
  activity: MessageActivity,
  channel: Channel,
  stepId: string,
  at: string,
): string {
  if (activity.TemplateVersion !== undefined) {
    ctx.log.note(
      pathOf(at, 'TemplateVersion'),
      `Template version ${activity.TemplateVersion} is not pinned: templates are files, versioned with the journey in git.`,
    );
  }
  if (activity.TemplateName !== undefined && activity.TemplateName !== '')
    return ctx.templateName(activity.TemplateName, channel);
  ctx.log.note(pathOf(at, 'TemplateName'), `No template named; a placeholder "${stepId}" is used.`);
  return ctx.templateName(stepId, channel);
}

/** EMAIL → an email step; `FromAddress` becomes `from`. */
export function emailStep(
  ctx: ActivityContext,
  id: string,
  activity: NonNullable<PinpointActivity['EMAIL']>,
  at: string,
): StepInput {
  noteUnread(ctx, activity, MESSAGE_FIELDS, at);
  const config = activity.MessageConfig ?? {};
  noteUnread(ctx, config, ['FromAddress'], pathOf(at, 'MessageConfig'));
  const step: StepInput = {
    type: 'email',
    template: templateOf(ctx, activity, 'email', id, at),
    next: target(ctx, activity.NextActivity, pathOf(at, 'NextActivity')),
  };
  return config.FromAddress === undefined ? step : { ...step, from: config.FromAddress };
}

/** SMS → an sms step; the origination number (or sender id) and message type carry over. */
export function smsStep(
  ctx: ActivityContext,
  id: string,
  activity: NonNullable<PinpointActivity['SMS']>,
  at: string,
): StepInput {
  noteUnread(ctx, activity, MESSAGE_FIELDS, at);
  const config = activity.MessageConfig ?? {};
  const configAt = pathOf(at, 'MessageConfig');
  noteUnread(
    ctx,
    config,
    ['MessageType', 'OriginationNumber', 'SenderId'],
    configAt,
    'is not set per step (configure it on the End User Messaging origination identity)',
  );
  if (config.OriginationNumber !== undefined && config.SenderId !== undefined) {
    ctx.log.note(
      pathOf(configAt, 'SenderId'),
      'Both an origination number and a sender id were set; the number is used.',
    );
  }
  const origin = config.OriginationNumber ?? config.SenderId;
  return {
    type: 'sms',
    template: templateOf(ctx, activity, 'sms', id, at),
    messageType: config.MessageType ?? 'PROMOTIONAL',
    ...(origin === undefined ? {} : { originationNumber: origin }),
    next: target(ctx, activity.NextActivity, pathOf(at, 'NextActivity')),
  };
}

/** PUSH → a push step; `TimeToLive` (seconds) becomes an ISO duration. */
export function pushStep(
  ctx: ActivityContext,
  id: string,
  activity: NonNullable<PinpointActivity['PUSH']>,
  at: string,
): StepInput {
  noteUnread(ctx, activity, MESSAGE_FIELDS, at);
  const config = activity.MessageConfig ?? {};
  noteUnread(ctx, config, ['TimeToLive'], pathOf(at, 'MessageConfig'));
  const ttl = config.TimeToLive;
  const given = ttl === undefined || ttl.trim() === '' ? undefined : Number(ttl);
  // 0 is "deliver now or never" to APNs and FCM: the shortest time to live here keeps that.
  const seconds = given === 0 ? 1 : given;
  const valid = seconds !== undefined && Number.isInteger(seconds) && seconds > 0;
  if (ttl !== undefined && !valid) {
    ctx.log.note(
      pathOf(at, 'MessageConfig', 'TimeToLive'),
      `"${ttl}" is not a number of seconds; no time to live is set.`,
    );
  } else if (given === 0) {
    ctx.log.note(
      pathOf(at, 'MessageConfig', 'TimeToLive'),
      'A time to live of 0 (deliver now or never) became PT1S, the shortest there is here.',
    );
  }
  return {
    type: 'push',
    template: templateOf(ctx, activity, 'push', id, at),
    ...(valid ? { timeToLive: `PT${seconds}S` } : {}),
    next: target(ctx, activity.NextActivity, pathOf(at, 'NextActivity')),
  };
}

/** The event a CUSTOM activity emits: route it with an EventBridge rule to the function or webhook. */
const CUSTOM_ACTIVITY_EVENT = 'Pinpoint Custom Activity';

/** CUSTOM (a Lambda function or webhook) → an emit step carrying the activity id, URI and data. */
export function customStep(
  ctx: ActivityContext,
  activityId: string,
  activity: NonNullable<PinpointActivity['CUSTOM']>,
  at: string,
): StepInput {
  noteUnread(ctx, activity, [...MESSAGE_FIELDS, 'DeliveryUri', 'EndpointTypes'], at);
  const data = activity.MessageConfig?.Data;
  ctx.log.note(
    at,
    `The custom activity${activity.DeliveryUri === undefined ? '' : ` (${activity.DeliveryUri})`} is no longer called directly: the journey emits "${CUSTOM_ACTIVITY_EVENT}" with activity "${activityId}"; add an EventBridge rule that targets the function.`,
  );
  if (activity.EndpointTypes !== undefined) {
    ctx.log.note(
      pathOf(at, 'EndpointTypes'),
      'The event is emitted once per customer, not per endpoint type.',
    );
  }
  if (activity.TemplateName !== undefined) {
    ctx.log.note(
      pathOf(at, 'TemplateName'),
      'Templates of custom activities are not rendered; the name is passed as a property.',
    );
  }
  const properties: Record<string, string> = { activity: activityId };
  if (activity.DeliveryUri !== undefined) properties.deliveryUri = activity.DeliveryUri;
  if (data !== undefined) properties.data = data;
  if (activity.TemplateName !== undefined) properties.template = activity.TemplateName;
  return {
    type: 'emit',
    event: CUSTOM_ACTIVITY_EVENT,
    properties,
    next: target(ctx, activity.NextActivity, pathOf(at, 'NextActivity')),
  };
}
