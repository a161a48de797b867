/**
 * Journey state machines are named `journey-<id>` (see the journey schema's `id`).
 * Apart from the ARN helpers (journey-arns.ts), so that the local runtime
 * reads it without loading aws-cdk-lib.
 */
export const JOURNEY_STATE_MACHINE_PREFIX = 'journey-';
