/**
 * The custom metrics the handlers publish (EMF, namespace `Journeys`) and the
 * dashboard reads: one list for both. Message metrics carry a `channel`
 * dimension; conversions, revenue and endings a `journey` dimension (and
 * endings an `outcome`).
 */
export const METRICS = {
  /** Customer events recorded: counted by the delivery whose write recorded the event, once. */
  eventsIngested: 'EventsIngested',
  /**
   * Deliveries of an event already recorded (EventBridge delivered it again, the app sent it
   * twice, or an attempt that failed was retried): each does nothing twice and is counted here.
   */
  eventsDuplicate: 'EventsDuplicate',
  /**
   * Rejections, not events: an invalid event delivered twice is rejected, and kept in the
   * rejected queue, twice (it is on no profile that could tell).
   */
  eventRejections: 'EventRejections',
  /** Entries, counted by the write that counts them in the stats (`enrolled`), once. */
  enrollments: 'Enrollments',
  /** Waiting steps a customer event resumed, counted with the stats' `eventReceived`, once. */
  resumed: 'EnrollmentsResumed',
  messagesSent: 'MessagesSent',
  messagesSuppressed: 'MessagesSuppressed',
  messagesDeferred: 'MessagesDeferred',
  messagesFailed: 'MessagesFailed',
  /** Sends whose provider may or may not have accepted the message: alarmed. */
  messagesUnknown: 'MessagesOutcomeUnknown',
  segmentScanned: 'SegmentScanned',
  segmentMatched: 'SegmentMatched',
  /** StartExecution attempts of segment entry that Step Functions throttled (each retried after backoff). */
  segmentThrottled: 'SegmentStartsThrottled',
  segmentRunsCompleted: 'SegmentRunsCompleted',
  /** Open Standard executions (entered − ended), account-wide and per journey: alarmed near the limit. */
  openExecutions: 'OpenExecutions',
  conversions: 'Conversions',
  revenue: 'Revenue',
  enrollmentsEnded: 'EnrollmentsEnded',
  /** Old state machine versions deploy-journey failed to delete (retried at the next deploy). */
  versionPruneFailures: 'StateMachineVersionPruneFailures',
  /**
   * Reports of traits a profile write left out (the profile's cap) that could not be sent to the
   * rejected queue after the write: each is logged with the traits instead, by a `reason` (the error).
   */
  droppedTraitReportsLost: 'DroppedTraitReportsLost',
  /**
   * Counts (entries, conversions, endings, feedback) found pending by a retry that could no longer
   * tell whether the first attempt wrote them: left out rather than doubled, each logged with its id.
   */
  countsUnsettled: 'CountsUnsettled',
} as const;

/** The metric that counts a send outcome. */
export function messageMetric(status: 'sent' | 'suppressed' | 'deferred' | 'failed' | 'unknown'): string {
  switch (status) {
    case 'sent':
      return METRICS.messagesSent;
    case 'suppressed':
      return METRICS.messagesSuppressed;
    case 'deferred':
      return METRICS.messagesDeferred;
    case 'failed':
      return METRICS.messagesFailed;
    case 'unknown':
      return METRICS.messagesUnknown;
  }
}
