import * as z from 'zod';
import { exactDuration } from './durations.ts';

/**
 * The Amazon Pinpoint journey definition as `aws pinpoint get-journey` prints it
 * (`JourneyResponse`) or as `create-journey` takes it (`WriteJourneyRequest`).
 * Only the structure the importer reads is checked; unknown fields are kept so
 * the importer can say that it did not bring them over.
 */

/** An ISO 8601 duration, its fraction (`PT1.5H`) in whole smaller units (`PT90M`) when it has an exact equivalent. */
const Duration = z.string().transform(exactDuration);

const WaitTime = z.looseObject({ WaitFor: Duration.optional(), WaitUntil: z.string().optional() });
export type PinpointWaitTime = z.infer<typeof WaitTime>;

const SetDimension = z.looseObject({
  DimensionType: z.enum(['INCLUSIVE', 'EXCLUSIVE']).optional(),
  Values: z.array(z.string()),
});

const AttributeDimension = z.looseObject({
  AttributeType: z
    .enum(['INCLUSIVE', 'EXCLUSIVE', 'CONTAINS', 'BEFORE', 'AFTER', 'BETWEEN', 'ON'])
    .optional(),
  Values: z.array(z.string()),
});
export type PinpointAttributeDimension = z.infer<typeof AttributeDimension>;

const MetricDimension = z.looseObject({ ComparisonOperator: z.string(), Value: z.number() });
export type PinpointMetricDimension = z.infer<typeof MetricDimension>;

const EventDimensions = z.looseObject({
  EventType: SetDimension.optional(),
  Attributes: z.record(z.string(), AttributeDimension).optional(),
  Metrics: z.record(z.string(), MetricDimension).optional(),
});
export type PinpointEventDimensions = z.infer<typeof EventDimensions>;

const SegmentDimensions = z.looseObject({
  Attributes: z.record(z.string(), AttributeDimension).optional(),
  UserAttributes: z.record(z.string(), AttributeDimension).optional(),
});
export type PinpointSegmentDimensions = z.infer<typeof SegmentDimensions>;

const AllAnyNone = z.enum(['ALL', 'ANY', 'NONE']);

/** A Pinpoint segment as `aws pinpoint get-segment` prints it (`SegmentResponse`). */
export const PinpointSegment = z.looseObject({
  Id: z.string().min(1),
  Name: z.string().optional(),
  SegmentType: z.string().optional(),
  Dimensions: SegmentDimensions.optional(),
  SegmentGroups: z
    .looseObject({
      Include: AllAnyNone.optional(),
      Groups: z
        .array(
          z.looseObject({
            Dimensions: z.array(SegmentDimensions).optional(),
            SourceSegments: z.array(z.looseObject({ Id: z.string() })).optional(),
            SourceType: z.enum(['ALL', 'ANY']).optional(),
            Type: AllAnyNone.optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type PinpointSegment = z.infer<typeof PinpointSegment>;

const SimpleCondition = z.looseObject({
  EventCondition: z
    .looseObject({ Dimensions: EventDimensions.optional(), MessageActivity: z.string().optional() })
    .optional(),
  SegmentCondition: z.looseObject({ SegmentId: z.string() }).optional(),
  SegmentDimensions: SegmentDimensions.optional(),
  /** The name the Pinpoint REST API itself uses on the wire (the SDKs and the CLI say SegmentDimensions). */
  segmentDimensions: SegmentDimensions.optional(),
});
export type PinpointSimpleCondition = z.infer<typeof SimpleCondition>;

const next = z.string().optional();
/**
 * A share of customers. Any number is read: one a weight cannot be (150, 12.5)
 * and one a draft left out are written as given and named, not the journey refused.
 */
const Percentage = z.number();
const messageFields = {
  NextActivity: next,
  TemplateName: z.string().optional(),
  TemplateVersion: z.string().optional(),
};

export const ACTIVITY_TYPES = [
  'EMAIL',
  'SMS',
  'PUSH',
  'CUSTOM',
  'Wait',
  'ConditionalSplit',
  'MultiCondition',
  'RandomSplit',
  'Holdout',
  'ContactCenter',
] as const;
export type PinpointActivityType = (typeof ACTIVITY_TYPES)[number];

const Activity = z.looseObject({
  Description: z.string().optional(),
  EMAIL: z
    .looseObject({
      ...messageFields,
      MessageConfig: z.looseObject({ FromAddress: z.string().optional() }).optional(),
    })
    .optional(),
  SMS: z
    .looseObject({
      ...messageFields,
      MessageConfig: z
        .looseObject({
          MessageType: z.enum(['TRANSACTIONAL', 'PROMOTIONAL']).optional(),
          OriginationNumber: z.string().optional(),
          SenderId: z.string().optional(),
          EntityId: z.string().optional(),
          TemplateId: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  PUSH: z
    .looseObject({
      ...messageFields,
      MessageConfig: z.looseObject({ TimeToLive: z.string().optional() }).optional(),
    })
    .optional(),
  CUSTOM: z
    .looseObject({
      ...messageFields,
      DeliveryUri: z.string().optional(),
      EndpointTypes: z.array(z.string()).optional(),
      MessageConfig: z.looseObject({ Data: z.string().optional() }).optional(),
    })
    .optional(),
  Wait: z.looseObject({ NextActivity: next, WaitTime: WaitTime.optional() }).optional(),
  ConditionalSplit: z
    .looseObject({
      Condition: z
        .looseObject({
          Conditions: z.array(SimpleCondition).optional(),
          Operator: z.enum(['ALL', 'ANY']).optional(),
        })
        .optional(),
      EvaluationWaitTime: WaitTime.optional(),
      TrueActivity: next,
      FalseActivity: next,
    })
    .optional(),
  MultiCondition: z
    .looseObject({
      Branches: z
        .array(z.looseObject({ Condition: SimpleCondition.optional(), NextActivity: next }))
        .optional(),
      DefaultActivity: next,
      EvaluationWaitTime: WaitTime.optional(),
    })
    .optional(),
  RandomSplit: z
    .looseObject({
      Branches: z.array(z.looseObject({ NextActivity: next, Percentage: Percentage.optional() })).optional(),
    })
    .optional(),
  Holdout: z.looseObject({ NextActivity: next, Percentage: Percentage.optional() }).optional(),
  ContactCenter: z.looseObject({ NextActivity: next }).optional(),
});
export type PinpointActivity = z.infer<typeof Activity>;

export const PinpointJourney = z.looseObject({
  Name: z.string().min(1),
  Activities: z.record(z.string(), Activity),
  StartActivity: z.string().min(1),
  StartCondition: z
    .looseObject({
      Description: z.string().optional(),
      EventStartCondition: z
        .looseObject({
          EventFilter: z
            .looseObject({
              Dimensions: EventDimensions,
              FilterType: z.enum(['SYSTEM', 'ENDPOINT']).optional(),
            })
            .optional(),
          SegmentId: z.string().optional(),
        })
        .optional(),
      SegmentStartCondition: z.looseObject({ SegmentId: z.string() }).optional(),
    })
    .optional(),
  Schedule: z
    .looseObject({
      StartTime: z.string().optional(),
      EndTime: z.string().optional(),
      Timezone: z.string().optional(),
    })
    .optional(),
  QuietTime: z.looseObject({ Start: z.string().optional(), End: z.string().optional() }).optional(),
  Limits: z
    .looseObject({
      DailyCap: z.number().int().optional(),
      EndpointReentryCap: z.number().int().optional(),
      EndpointReentryInterval: Duration.optional(),
      MessagesPerSecond: z.number().int().optional(),
      TotalCap: z.number().int().optional(),
      TimeframeCap: z
        .looseObject({ Cap: z.number().int().optional(), Days: z.number().int().optional() })
        .optional(),
    })
    .optional(),
  OpenHours: z
    .record(
      z.string(),
      z.record(
        z.string(),
        z.array(z.looseObject({ StartTime: z.string().optional(), EndTime: z.string().optional() })),
      ),
    )
    .optional(),
  ClosedDays: z
    .record(
      z.string(),
      z.array(
        z.looseObject({
          Name: z.string().optional(),
          StartDateTime: z.string().optional(),
          EndDateTime: z.string().optional(),
        }),
      ),
    )
    .optional(),
  SendingSchedule: z.boolean().optional(),
  RefreshFrequency: Duration.optional(),
  LocalTime: z.boolean().optional(),
  WaitForQuietTime: z.boolean().optional(),
  State: z.enum(['DRAFT', 'ACTIVE', 'COMPLETED', 'CANCELLED', 'CLOSED', 'PAUSED']).optional(),
});
export type PinpointJourney = z.infer<typeof PinpointJourney>;
