import { S3Client } from '@aws-sdk/client-s3';
import { lazyClient } from '../clients.ts';
import { lazyConfig } from '../config.ts';

const s3Config = lazyConfig(['S3_FORCE_PATH_STYLE']);

/** The S3 client of this process. */
export function s3Client(): S3Client {
  return lazyClient(
    's3',
    () =>
      new S3Client({
        // Path-style addressing for local S3 stand-ins (S3_FORCE_PATH_STYLE=true).
        forcePathStyle: s3Config().S3_FORCE_PATH_STYLE ?? false,
        requestChecksumCalculation: 'WHEN_REQUIRED',
      }),
  );
}
