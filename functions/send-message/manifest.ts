import { defineFunction } from '#functions/_lib/manifest.ts';
import { SendMessageInput } from '#shared/tasks/send-message.ts';

export const manifest = defineFunction({
  name: 'send-message',
  description: 'Journey task: send one email, SMS or push',
  bindings: {
    profilesTable: 'readWrite',
    enrollmentsTable: 'readWrite',
    deliveriesTable: 'readWrite',
    statsTable: 'readWrite',
    // Templates pinned to journey versions live in the registry: sending reads no S3.
    journeysTable: 'read',
    emailSending: 'send',
    mobileMessaging: 'send',
    unsubscribeLinks: 'link',
    signingKey: 'read',
  },
  task: { input: SendMessageInput, arnVariable: 'SEND_MESSAGE_FUNCTION_ARN' },
});
