import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { logger } from '#functions/_lib/observability.ts';
import { providerError } from '#functions/_lib/provider-errors.ts';
import { mailboxProblem, sesMailbox } from '#shared/delivery/mailbox.ts';
import { RecipientRefusedError } from '#shared/errors.ts';
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

/** What SES v2 takes as a header value (MessageHeader): printable ASCII, 870 characters at most. */
const HEADER_VALUE = /^[ -~]{1,870}$/;

/**
 * The one-click List-Unsubscribe headers (RFC 8058) of a link, or none when
 * the link cannot be a header value (a long customer id and topic): SES
 * would refuse the whole message, which still carries the link in its body.
 */
function unsubscribeHeaders(url: string | undefined) {
  if (url === undefined) return undefined;
  const value = `<${url}>`;
  if (!HEADER_VALUE.test(value)) {
    logger.warn('unsubscribe link too long for a List-Unsubscribe header: sent without it', {
      length: value.length,
    });
    return undefined;
  }
  return [
    { Name: 'List-Unsubscribe', Value: value },
    { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
  ];
}

/** Sends one email through SES v2 SendEmail; returns the SES message id. */
export async function sendEmail(ses: SESv2Client, request: EmailRequest): Promise<string> {
  const headers = unsubscribeHeaders(request.unsubscribeUrl);
  // An address kept before its length was checked at ingest: no mail server would take it, so SES is not asked.
  const problem = mailboxProblem(request.to);
  if (problem !== undefined) throw new RecipientRefusedError(`the customer's email address ${problem}`);
  try {
    const out = await ses.send(
      new SendEmailCommand({
        // SES takes 7-bit ASCII only: a display name in another script is encoded, a domain in Punycode.
        FromEmailAddress: sesMailbox(request.from),
        Destination: { ToAddresses: [sesMailbox(request.to)] },
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
