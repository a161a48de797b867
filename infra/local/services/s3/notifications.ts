import { randomUUID } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_ACCOUNT } from '../../runtime/aws.ts';
import { JOURNEYS_PREFIX, type ObjectInfo, objectInfo } from './s3.ts';

/** The EventBridge entry S3 sends to the default bus when an object is created or deleted. */
export type S3Notification = {
  Source: 'aws.s3';
  DetailType: 'Object Created' | 'Object Deleted';
  Detail: string;
  Resources: string[];
};

/** The notification for one object, shaped like S3's EventBridge events. */
export function s3Notification(bucket: string, key: string, info: ObjectInfo | undefined): S3Notification {
  const object =
    info === undefined
      ? { key, sequencer: sequencer() }
      : {
          key,
          size: info.size,
          etag: info.etag.replaceAll('"', ''),
          'version-id': info.versionId,
          sequencer: sequencer(),
        };
  const detail = {
    version: '0',
    bucket: { name: bucket },
    object,
    'request-id': randomUUID(),
    requester: LOCAL_ACCOUNT,
    'source-ip-address': '127.0.0.1',
    reason: info === undefined ? 'DeleteObject' : 'PutObject',
  };
  return {
    Source: 'aws.s3',
    DetailType: info === undefined ? 'Object Deleted' : 'Object Created',
    Detail: JSON.stringify(detail),
    Resources: [`arn:aws:s3:::${bucket}`],
  };
}

let sequence = 0;
function sequencer(): string {
  sequence += 1;
  return `${Date.now().toString(16)}${sequence.toString(16).padStart(6, '0')}`.toUpperCase();
}

/** Every file under the folder, as bucket keys. */
export async function folderKeys(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map(
      (e) =>
        JOURNEYS_PREFIX +
        join(e.parentPath, e.name)
          .slice(folder.length + 1)
          .split('\\')
          .join('/'),
    )
    .sort();
}

/** Debounce for editors that write a file in several steps. */
const SETTLE_MS = 150;

/**
 * Watches the journeys folder and announces each changed file as S3 would:
 * one notification per settled change, created or deleted. `region` and
 * account are the local ones.
 */
export function watchFolder(
  folder: string,
  bucket: string,
  notify: (notification: S3Notification) => Promise<void>,
): FSWatcher {
  const timers = new Map<string, NodeJS.Timeout>();
  const watcher = watch(folder, { recursive: true }, (_event, name) => {
    if (name === null) return;
    const relativeName = name.split('\\').join('/');
    clearTimeout(timers.get(relativeName));
    timers.set(
      relativeName,
      setTimeout(() => {
        timers.delete(relativeName);
        void announce(folder, bucket, relativeName, notify);
      }, SETTLE_MS),
    );
  });
  watcher.on('close', () => {
    for (const timer of timers.values()) clearTimeout(timer);
  });
  return watcher;
}

async function announce(
  folder: string,
  bucket: string,
  relativeName: string,
  notify: (notification: S3Notification) => Promise<void>,
): Promise<void> {
  const key = JOURNEYS_PREFIX + relativeName;
  const info = await objectInfo(folder, join(folder, relativeName)).catch(() => undefined);
  await notify(s3Notification(bucket, key, info));
}
