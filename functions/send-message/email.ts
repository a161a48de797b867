import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { providerError } from '#functions/_lib/provider-errors.ts';
import { sesMailbox } from '#shared/delivery/mailbox.ts';
import type { EmailTemplate, Rendered } from '#shared/templates.ts';
import type * as z from '#shared/zod.ts';

export type EmailRequest = {
  from: string;
  to: string;
  replyTo?: string;
  configurationSet: string;
  content: Rendered<z.infer<typeof EmailTemplate>>;
  /** Marketing mail carries one-click List-Unsubscribe headers (RFC 8058). */
  unsubscribeUrl?: string;
  tags: Record<string, string>;
};

/** SES tag values allow only letters, digits, _ - . @: anything else becomes _. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_\-.@]/g, '_').slice(0, 256) || '_';
}

/** Sends one email through SES v2 SendEmail; returns the SES message id. */
export async function sendEmail(ses: SESv2Client, request: EmailRequest): Promise<string> {
  const headers =
    request.unsubscribeUrl === undefined
      ? undefined
      : [
          { Name: 'List-Unsubscribe', Value: `<${request.unsubscribeUrl}>` },
          { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
        ];
  try {
    const out = await ses.send(
      new SendEmailCommand({
        // SES takes 7-bit ASCII only: a display name in another script is encoded, a domain in Punycode.
        FromEmailAddress: sesMailbox(request.from),
        Destination: { ToAddresses: [request.to] },
        ...(request.replyTo === undefined ? {} : { ReplyToAddresses: [sesMailbox(request.replyTo)] }),
        ConfigurationSetName: request.configurationSet,
        Content: {
          Simple: {
            Subject: { Data: request.content.subject, Charset: 'UTF-8' },
            Body: {
              Html: { Data: request.content.html, Charset: 'UTF-8' },
              Text: { Data: request.content.text, Charset: 'UTF-8' },
            },
            ...(headers === undefined ? {} : { Headers: headers }),
          },
        },
        EmailTags: Object.entries(request.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
      }),
    );
    return out.MessageId ?? '';
  } catch (error) {
    throw providerError(error, 'SES');
  }
}
