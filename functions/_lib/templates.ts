import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TemplateFailedError } from '#shared/errors.ts';
import { Template } from '#shared/templates.ts';

/**
 * Message templates from the journeys bucket (`journeys/templates/<name>.json`),
 * cached per process for a short time so an edited template is live within a minute.
 */
export class TemplateStore {
  private readonly cache = new Map<string, { at: number; template: Promise<Template> }>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly ttlMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(name: string): Promise<Template> {
    const now = this.clock();
    const hit = this.cache.get(name);
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.template;
    const template = this.load(name);
    this.cache.set(name, { at: now, template });
    template.catch(() => this.cache.delete(name));
    return template;
  }

  private async load(name: string): Promise<Template> {
    const key = `journeys/templates/${name}.json`;
    let text: string;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = (await out.Body?.transformToString()) ?? '';
    } catch (error) {
      if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound')) {
        throw new TemplateFailedError(`template ${name} not found (${key})`);
      }
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TemplateFailedError(`template ${name} is not valid JSON`);
    }
    const parsed = Template.safeParse(json);
    if (!parsed.success)
      throw new TemplateFailedError(`template ${name} is invalid: ${parsed.error.message}`);
    return parsed.data;
  }
}
