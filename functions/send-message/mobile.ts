/**
 * What only SMS and push need, loaded with `await import()` by the first send
 * on those channels (see `send.ts`): the Pinpoint client and its sends, and
 * phone numbers read with libphonenumber-js and its metadata.
 */
export { pinpointClient } from '#functions/_lib/clients/pinpoint.ts';
export { deliverable, phoneSpellings } from '#shared/delivery/phone.ts';
export { sendPush, sendSms } from './pinpoint.ts';
