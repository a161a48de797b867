import * as z from 'zod';
import type { TestTarget } from '#infra/local/inspect/test-send.ts';
import { DEFAULT_PORTS } from '#infra/local/runtime/options.ts';
import { previewTemplate } from '#shared/template-preview.ts';
import { fail } from '../output.ts';
import { ofLocalRuntime } from '../runtime-client.ts';
import { loadTemplate, missingNote, type TemplateInputOptions, templateContext } from '../template-input.ts';
import { testAddress } from '../test-address.ts';

export type SendTestOptions = TemplateInputOptions & {
  to: string;
  pushService?: string;
  sesEndpoint?: string;
  pinpointEndpoint?: string;
  from?: string;
  configurationSet?: string;
  appId?: string;
};

function targetOf(options: SendTestOptions): TestTarget | string {
  if (!options.aws) {
    const { sesEndpoint, pinpointEndpoint, dataDir } = options;
    return {
      kind: 'local',
      sesEndpoint: ofLocalRuntime('ses', sesEndpoint, dataDir, `http://127.0.0.1:${DEFAULT_PORTS.ses}`),
      pinpointEndpoint: ofLocalRuntime(
        'pinpoint',
        pinpointEndpoint,
        dataDir,
        `http://127.0.0.1:${DEFAULT_PORTS.pinpoint}`,
      ),
    };
  }
  const { from, configurationSet, appId } = options;
  if (from === undefined || configurationSet === undefined || appId === undefined) {
    return '--aws needs --from, --configuration-set and --app-id (the stack outputs)';
  }
  return { kind: 'aws', region: options.region, from, configurationSet, applicationId: appId };
}

/** `journeys send-test <template> --to <address>`: one message marked as a test, outside caps and stats. */
export async function sendTestCommand(name: string, options: SendTestOptions): Promise<void> {
  const target = targetOf(options);
  if (typeof target === 'string') return fail(target);
  const pushService = z.enum(['GCM', 'APNS']).safeParse(options.pushService ?? 'GCM');
  if (!pushService.success) return fail('--push-service must be GCM or APNS');
  const template = await loadTemplate(options, name);
  if (typeof template === 'string') return fail(template);
  const input = await templateContext(options);
  if (typeof input === 'string') return fail(input);
  const address = testAddress(template.channel, options.to, input.profile, options.customer);
  if (!address.ok) return fail(`--to ${JSON.stringify(options.to)}: ${address.reason}; nothing sent`);
  for (const note of input.notes) process.stderr.write(`note: ${note}\n`);
  // Dates print in the customer's time zone, as the send of a journey step prints them.
  const preview = await previewTemplate(template, input.context, undefined, input.zone.name);
  if (!preview.ok) {
    fail(`${name} cannot be rendered, nothing sent:`);
    for (const variable of preview.missing)
      process.stderr.write(`  missing variable ${missingNote(variable, options.event)}\n`);
    if (preview.error !== undefined) process.stderr.write(`  ${preview.error}\n`);
    return;
  }
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(preview.rendered))
    if (typeof value === 'string') fields[key] = value;
  // Loaded on use: every command starts faster without the SDK clients it does not need.
  const { sendTestMessage } = await import('#infra/local/inspect/test-send.ts');
  const messageId = await sendTestMessage(target, {
    template: name,
    channel: template.channel,
    fields,
    to: address.to,
    pushService: pushService.data,
  });
  process.stdout.write(`sent test ${template.channel} ${name} to ${address.to} (message id ${messageId})\n`);
}
