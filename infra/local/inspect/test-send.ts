import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { sendEmail } from '#functions/send-message/email.ts';
import { sendPush, sendSms } from '#functions/send-message/pinpoint.ts';
import type { Channel } from '#shared/channels.ts';
import { localClientConfig } from '../runtime/aws.ts';
import { LOCAL_NAMES } from '../runtime/env.ts';
import { DEFAULT_PORTS } from '../runtime/options.ts';

/**
 * One test message through the real channel code (SES v2 or End User
 * Messaging), to the local stand-ins or to AWS. It is marked as a test in the
 * subject or text and in its tags, and it goes around everything a journey
 * send does: no consent or cap check, no delivery record, no counter.
 */

export type TestTarget =
  | { kind: 'local'; sesEndpoint?: string; pinpointEndpoint?: string }
  | { kind: 'aws'; region?: string; from: string; configurationSet: string; applicationId: string };

const TEST_MARK = '[TEST]';

export type TestMessage = {
  template: string;
  channel: Channel;
  /** The rendered fields (subject, html, text / body / title, url). */
  fields: Readonly<Record<string, string>>;
  to: string;
  pushService?: 'GCM' | 'APNS';
};

function sesClient(target: TestTarget): SESv2Client {
  if (target.kind === 'aws')
    return new SESv2Client(target.region === undefined ? {} : { region: target.region });
  return new SESv2Client(localClientConfig(target.sesEndpoint ?? `http://127.0.0.1:${DEFAULT_PORTS.ses}`));
}

function pinpointClient(target: TestTarget): PinpointClient {
  if (target.kind === 'aws')
    return new PinpointClient(target.region === undefined ? {} : { region: target.region });
  return new PinpointClient(
    localClientConfig(target.pinpointEndpoint ?? `http://127.0.0.1:${DEFAULT_PORTS.pinpoint}`),
  );
}

/** Sends the rendered template as a test message; returns the provider's message id. */
export async function sendTestMessage(target: TestTarget, message: TestMessage): Promise<string> {
  const field = (name: string) => message.fields[name] ?? '';
  const context = { test: 'true', template: message.template };
  const from = target.kind === 'aws' ? target.from : LOCAL_NAMES.sender;
  const configurationSet = target.kind === 'aws' ? target.configurationSet : LOCAL_NAMES.configurationSet;
  const applicationId = target.kind === 'aws' ? target.applicationId : LOCAL_NAMES.pinpointApp;
  if (message.channel === 'email') {
    const ses = sesClient(target);
    try {
      return await sendEmail(ses, {
        from,
        to: message.to,
        configurationSet,
        content: { subject: `${TEST_MARK} ${field('subject')}`, html: field('html'), text: field('text') },
        tags: context,
      });
    } finally {
      ses.destroy();
    }
  }
  const pinpoint = pinpointClient(target);
  try {
    if (message.channel === 'push') {
      const service = message.pushService ?? 'GCM';
      return await sendPush(
        pinpoint,
        applicationId,
        {
          tokens: [{ token: message.to, service }],
          title: `${TEST_MARK} ${field('title')}`,
          body: field('body'),
          url: message.fields.url,
          priority: 'normal',
        },
        context,
      );
    }
    return await sendSms(
      pinpoint,
      applicationId,
      { phone: message.to, body: `${TEST_MARK} ${field('body')}`, messageType: 'TRANSACTIONAL' },
      context,
    );
  } finally {
    pinpoint.destroy();
  }
}
