import { readdirSync, readFileSync } from 'node:fs';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';

const root = new URL('../../', import.meta.url);

/** An example journey file's text, as the bucket holds it (`journeys/<name>.json`). */
export function exampleJourneyText(name: string): string {
  return readFileSync(new URL(`journeys/${name}.json`, root), 'utf8');
}

/** Every example template as a bucket object: key and text. */
export function exampleTemplateObjects(): [string, string][] {
  return readdirSync(new URL('journeys/templates/', root)).map((f) => [
    `journeys/templates/${f}`,
    readFileSync(new URL(`journeys/templates/${f}`, root), 'utf8'),
  ]);
}

/**
 * The journeys bucket as a Map behind a mocked S3 client: Get, List, Put and
 * Delete read and change the Map, so a test edits the bucket by editing it.
 * An object is text (stored as UTF-8) or the exact bytes of a file.
 */
export function fakeJourneysBucket(
  s3: AwsClientStub<S3Client>,
  objects: Iterable<[string, string]>,
  /** The version id S3 reports for the current object of a key (none by default). */
  currentVersion: (key: string) => string | undefined = () => undefined,
): Map<string, string | Uint8Array> {
  const bucket = new Map<string, string | Uint8Array>(objects);
  s3.reset();
  s3.on(GetObjectCommand).callsFake((input: { Key: string; VersionId?: string }) => {
    const object = bucket.get(input.Key);
    if (object === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
    const bytes = typeof object === 'string' ? new TextEncoder().encode(object) : object;
    // As the SDK's stream mixin decodes: UTF-8, a byte order mark kept, other bytes as U+FFFD.
    const Body = {
      transformToByteArray: async () => bytes,
      transformToString: async () => Buffer.from(bytes).toString('utf8'),
    };
    return { Body, ContentLength: bytes.length, VersionId: input.VersionId ?? currentVersion(input.Key) };
  });
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
    Contents: [...bucket.keys()].filter((k) => k.startsWith(input.Prefix)).map((Key) => ({ Key })),
  }));
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
    bucket.set(input.Key, input.Body);
    return {};
  });
  s3.on(DeleteObjectCommand).callsFake((input: { Key: string }) => {
    bucket.delete(input.Key);
    return {};
  });
  return bucket;
}

/** The rejection report deploy-journey wrote to the fake bucket (no violations when there is none). */
export function rejectionReport(
  bucket: ReadonlyMap<string, string | Uint8Array>,
  key: string,
): { violations: { path: string; code: string; message: string }[] } {
  const object = bucket.get(key);
  if (object === undefined) return { violations: [] };
  return JSON.parse(typeof object === 'string' ? object : new TextDecoder().decode(object));
}
