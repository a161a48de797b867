import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { TEMPLATES_PREFIX, templateNameOfKey } from '#shared/journey/s3-keys.ts';
import { Template, type TemplateCatalog, type TemplateChannel } from '#shared/templates.ts';

/** Reads a journey definition (at the exact object version of the notification). */
export async function readObject(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<{ text: string; versionId?: string }> {
  const out = await s3.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(versionId === undefined ? {} : { VersionId: versionId }),
    }),
  );
  return { text: (await out.Body?.transformToString()) ?? '', versionId: out.VersionId ?? versionId };
}

/** The templates in the bucket (name → channel), for the validator's template checks. */
export async function templateCatalog(s3: S3Client, bucket: string): Promise<TemplateCatalog> {
  const catalog = new Map<string, TemplateChannel>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: TEMPLATES_PREFIX, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      const name = templateNameOfKey(object.Key ?? '');
      if (name === undefined || object.Key === undefined) continue;
      const { text } = await readObject(s3, bucket, object.Key);
      const parsed = parseTemplate(text);
      if (parsed !== undefined) catalog.set(name, parsed);
    }
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return catalog;
}

function parseTemplate(text: string): TemplateChannel | undefined {
  try {
    const parsed = Template.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.channel : undefined;
  } catch {
    return undefined;
  }
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
