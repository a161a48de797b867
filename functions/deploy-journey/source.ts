import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Channel } from '#shared/channels.ts';
import { TEMPLATES_PREFIX, templateNameOfKey } from '#shared/journey/s3-keys.ts';
import { type JsonText, parseJsonBytes, tooLargeProblem } from '#shared/json-text.ts';
import { parseTemplateShape } from '#shared/template-shape.ts';
import {
  checkTemplateSyntax,
  describeTemplateProblem,
  type Template,
  type TemplateCatalog,
} from '#shared/templates.ts';

/**
 * Reads a JSON file of the bucket (a journey at the exact object version of
 * the notification, a template) as `journeys validate` reads it from disk:
 * UTF-8, a byte order mark skipped, and any other bytes or a syntax error
 * named with where they are, rather than decoded into U+FFFD and deployed.
 */
export async function readObject(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<{ json: JsonText; versionId?: string }> {
  const out = await s3.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(versionId === undefined ? {} : { VersionId: versionId }),
    }),
  );
  const found = out.VersionId ?? versionId;
  // A file past the bound (a data export dropped in the folder) is named, not read into memory.
  const tooLarge = tooLargeProblem(out.ContentLength ?? 0);
  if (tooLarge !== undefined) {
    const body: unknown = out.Body;
    if (body instanceof Readable) body.destroy();
    return { json: { ok: false, message: tooLarge }, versionId: found };
  }
  const bytes = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
  return { json: parseJsonBytes(bytes), versionId: found };
}

/** S3's longest key, in UTF-8 bytes: a name past it cannot be a template file. */
const MAX_KEY_BYTES = 1024;

/**
 * The templates a journey names (name → channel, and their content), for the
 * validator's template checks, and why those that cannot be used cannot. Only
 * the named ones are read, each with a listing of its key and a read: the
 * rest of the folder — other journeys' templates, a writer's thousands of
 * files, broken ones nothing sends — costs a deploy nothing. A name that is
 * not there is left out, and the validator reports it as missing.
 */
export async function templateCatalog(
  s3: S3Client,
  bucket: string,
  names: Iterable<string>,
): Promise<{ catalog: TemplateCatalog; bodies: Map<string, Template>; invalid: Map<string, string> }> {
  const catalog = new Map<string, Channel>();
  const bodies = new Map<string, Template>();
  const invalid = new Map<string, string>();
  for (const name of names) {
    const key = `${TEMPLATES_PREFIX}${name}.json`;
    if (templateNameOfKey(key) !== name || Buffer.byteLength(key) > MAX_KEY_BYTES) continue;
    // Listed first: a GetObject of a missing key is refused (403) under a ListBucket grant scoped to a prefix.
    if (!(await hasCurrentObject(s3, bucket, key))) continue;
    const parsed = parseTemplate(name, (await readObject(s3, bucket, key)).json);
    if (typeof parsed === 'string') invalid.set(name, parsed);
    else {
      catalog.set(name, parsed.channel);
      bodies.set(name, parsed);
    }
  }
  return { catalog, bodies, invalid };
}

/** A template file's content, or a sentence saying why it cannot be used. */
export function parseTemplate(name: string, json: JsonText): Template | string {
  if (!json.ok) return `The template "${name}" is ${json.message}.`;
  const parsed = parseTemplateShape(json.value);
  if (!parsed.ok) return `The template "${name}" is not a valid template: ${parsed.problems.join('; ')}`;
  const syntax = checkTemplateSyntax(parsed.template);
  if (syntax.some((p) => p.kind === 'syntax')) {
    const where = syntax.map((p) => `${p.field}: ${p.message}`).join('; ');
    return `The template "${name}" has broken Liquid syntax (${where}).`;
  }
  if (syntax.length > 0) {
    const where = syntax.map((p) => `${p.field}: ${describeTemplateProblem(p)}`).join('; ');
    return `The template "${name}" cannot be sent (${where}).`;
  }
  return parsed.template;
}

/**
 * Whether the key has a current object. In a versioned bucket "Object Deleted"
 * also announces the removal by hand of an old version or of a delete marker
 * (an undelete): the file is still there then. (What the lifecycle rules
 * remove is never looked at: see `lifecycleCleanup` in deploy.ts.)
 * A listing, not a GetObject: S3 answers a GetObject of a missing key with
 * 403 unless ListBucket is granted without a prefix condition.
 */
export async function hasCurrentObject(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  // Listed in key order, the key itself comes before every longer key it begins.
  return (page.Contents ?? []).some((object) => object.Key === key);
}

export async function putJson(s3: S3Client, bucket: string, key: string, body: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: `${JSON.stringify(body, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
}

export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
