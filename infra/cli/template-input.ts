import { join, resolve } from 'node:path';
import type { DataSource } from '#infra/local/runtime/data.ts';
import { Profile } from '#shared/profile/profile.ts';
import { profileVariables } from '#shared/template-preview.ts';
import { Template, type TemplateContext } from '#shared/templates.ts';
import { readJsonFile } from './files.ts';

/** What `preview` and `send-test` render a template with: a stored customer (or none) and a sample trigger. */

export type TemplateInputOptions = {
  customer?: string;
  trigger?: string;
  journey: string;
  templatesDir: string;
  dataDir: string;
  endpoint?: string;
  aws?: boolean;
  profilesTable?: string;
  region?: string;
};

export async function loadTemplate(dir: string, name: string): Promise<Template | string> {
  const file = join(resolve(dir), `${name}.json`);
  const json = await readJsonFile(file);
  if (!json.ok) return `${file}: ${json.message}`;
  const template = Template.safeParse(json.value);
  return template.success ? template.data : `${file}: not a valid template`;
}

async function triggerOf(option: string | undefined): Promise<unknown> {
  if (option === undefined) return { type: 'track', event: 'Preview', properties: {} };
  if (!option.startsWith('@')) return JSON.parse(option);
  const json = await readJsonFile(option.slice(1));
  if (!json.ok) throw new Error(`${option.slice(1)}: ${json.message}`);
  return json.value;
}

function sourceOf(options: TemplateInputOptions): DataSource {
  if (!options.aws) return { kind: 'local', dataDir: resolve(options.dataDir), endpoint: options.endpoint };
  return { kind: 'aws', tables: { profiles: options.profilesTable }, region: options.region };
}

/** The template context, or why there is none (an unknown customer). */
export async function templateContext(options: TemplateInputOptions): Promise<TemplateContext | string> {
  let profile = Profile.parse({ userId: 'test' });
  if (options.customer !== undefined) {
    // Loaded on use: every command starts faster without the SDK clients it does not need.
    const { readProfile } = await import('#infra/local/inspect/customers.ts');
    const stored = await readProfile(sourceOf(options), options.customer);
    if (stored === undefined) {
      return `no customer "${options.customer}" in ${options.aws ? 'the profiles table' : 'the local data'}`;
    }
    profile = stored;
  }
  return {
    profile: profileVariables(profile),
    trigger: await triggerOf(options.trigger),
    journey: { id: options.journey },
    unsubscribeUrl: 'https://example.com/unsubscribe?preview',
  };
}
