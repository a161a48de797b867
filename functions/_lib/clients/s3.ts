import { S3Client } from '@aws-sdk/client-s3';
import { lazyClient } from '../clients.ts';

/** The S3 client of this process; path-style addressing for local S3 stand-ins (S3_FORCE_PATH_STYLE=true). */
export function s3Client(forcePathStyle: boolean): S3Client {
  return lazyClient(
    's3',
    (config) => new S3Client({ ...config, forcePathStyle, requestChecksumCalculation: 'WHEN_REQUIRED' }),
  );
}
