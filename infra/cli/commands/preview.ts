import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readProfile } from '#infra/local/customers.ts';
import type { DataSource } from '#infra/local/data.ts';
import { previewTemplate, profileVariables } from '#shared/template-preview.ts';
import { Template } from '#shared/templates.ts';
import { readJsonFile } from '../files.ts';
import { fail, paint } from '../output.ts';

export type PreviewOptions = {
  customer: string;
  trigger?: string;
  journey: string;
  templatesDir: string;
  dataDir: string;
  endpoint?: string;
  html?: string;
  aws?: boolean;
  profilesTable?: string;
  region?: string;
};

function sourceOf(options: PreviewOptions): DataSource {
  if (!options.aws) return { kind: 'local', dataDir: resolve(options.dataDir), endpoint: options.endpoint };
  return { kind: 'aws', tables: { profiles: options.profilesTable }, region: options.region };
}

async function triggerOf(option: string | undefined): Promise<unknown> {
  if (option === undefined) return { type: 'track', event: 'Preview', properties: {} };
  if (!option.startsWith('@')) return JSON.parse(option);
  const json = await readJsonFile(option.slice(1));
  if (!json.ok) throw new Error(`${option.slice(1)}: ${json.message}`);
  return json.value;
}

/** `journeys preview <template> --customer <id>`: the message as that customer would get it. */
export async function previewCommand(name: string, options: PreviewOptions): Promise<void> {
  const file = join(resolve(options.templatesDir), `${name}.json`);
  const json = await readJsonFile(file);
  const template = json.ok ? Template.safeParse(json.value) : undefined;
  if (template === undefined || !template.success) {
    fail(`${file}: ${json.ok ? 'not a valid template' : json.message}`);
    return;
  }
  const profile = await readProfile(sourceOf(options), options.customer);
  if (profile === undefined) {
    fail(`no customer "${options.customer}" in ${options.aws ? 'the profiles table' : 'the local data'}`);
    return;
  }
  const preview = await previewTemplate(template.data, {
    profile: profileVariables(profile),
    trigger: await triggerOf(options.trigger),
    journey: { id: options.journey },
    unsubscribeUrl: 'https://example.com/unsubscribe?preview',
  });
  if (!preview.ok) {
    fail(`${name} cannot be rendered for ${options.customer}:`);
    for (const variable of preview.missing) process.stderr.write(`  missing variable ${variable}\n`);
    if (preview.error !== undefined) process.stderr.write(`  ${preview.error}\n`);
    return;
  }
  const out: string[] = [paint('bold', `${name} (${template.data.channel}) for ${options.customer}`)];
  for (const [field, value] of Object.entries(preview.rendered)) {
    if (field === 'html') continue;
    out.push(`${paint('dim', `${field}:`)} ${value}`);
  }
  if ('html' in preview.rendered && typeof preview.rendered.html === 'string') {
    const path = resolve(
      options.html ?? join(options.dataDir, 'preview', `${name}-${options.customer}.html`),
    );
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, preview.rendered.html);
    out.push(`${paint('dim', 'html:')} ${path}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
