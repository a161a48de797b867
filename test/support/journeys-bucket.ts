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
 */
export function fakeJourneysBucket(
  s3: AwsClientStub<S3Client>,
  objects: Iterable<[string, string]>,
): Map<string, string> {
  const bucket = new Map(objects);
  s3.reset();
  s3.on(GetObjectCommand).callsFake((input: { Key: string; VersionId?: string }) => {
    const text = bucket.get(input.Key);
    if (text === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
    return { Body: { transformToString: async () => text }, VersionId: input.VersionId };
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
