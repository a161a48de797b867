import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { BodyTooLargeError, decodedSegment, MAX_JSON_REQUEST_BYTES, readBody } from '../../runtime/http.ts';

/** The bucket prefix the journeys folder is mirrored at. */
export const JOURNEYS_PREFIX = 'journeys/';

/** What S3 reports about an object: its ETag and a version id derived from its content. */
export type ObjectInfo = { key: string; size: number; etag: string; versionId: string; lastModified: Date };

/**
 * A path-style S3 endpoint whose one bucket is a folder: object `journeys/<file>`
 * is the file `<folder>/<file>`. GetObject, HeadObject, PutObject and
 * DeleteObject and ListObjectsV2 are enough for the deploy handler and `journeys push`.
 */
export function createS3Server(bucket: string, folder: string): Server {
  return createServer((req, res) => {
    handle(req, res, bucket, folder).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      // The bucket holds journey and template files, which are read at 4 MB at most.
      else if (error instanceof BodyTooLargeError) sendError(res, 413, 'EntityTooLarge', error.message);
      else sendError(res, 500, 'InternalError', error instanceof Error ? error.message : String(error));
    });
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  folder: string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [, bucketName = '', ...rest] = url.pathname.split('/');
  const segments = rest.map(decodedSegment);
  const body = await readBody(req, MAX_JSON_REQUEST_BYTES);
  // A malformed escape (`%E0%A4%A`, `%zz`) is the request's fault: S3 answers 400 InvalidURI.
  if (segments.some((segment) => segment === undefined))
    return sendError(res, 400, 'InvalidURI', "Couldn't parse the specified URI.");
  const key = segments.join('/');
  if (bucketName !== bucket)
    return sendError(res, 404, 'NoSuchBucket', `The bucket ${bucketName} does not exist`);
  if (key === '' && req.method === 'GET') return listObjects(res, bucket, folder, url.searchParams);
  const file = fileOf(folder, key);
  if (file === undefined) return sendError(res, 404, 'NoSuchKey', `The key ${key} does not exist`);
  if (req.method === 'PUT') {
    const unstorable = unstorableKey(key);
    if (unstorable !== undefined)
      return sendError(res, 400, 'InvalidArgument', `The key ${key} ${unstorable}`);
    if (!(await written(file, decodeAwsChunked(req, body))))
      return sendError(res, 400, 'InvalidArgument', `The key ${key} ${FILE_FOLDER_CLASH}`);
    const info = await objectInfo(folder, file);
    // The folder watcher announces the new object, as S3 does through EventBridge.
    res.writeHead(200, { etag: info.etag, 'x-amz-version-id': info.versionId }).end();
    return;
  }
  if (req.method === 'DELETE') {
    // S3 answers 204 whether or not the key existed (a key naming a folder names no object here);
    // the folder watcher announces the deletion.
    if (!(await isFolder(file))) await rm(file, { force: true });
    res.writeHead(204).end();
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendError(res, 405, 'MethodNotAllowed', req.method ?? '');
  const content = await readFile(file).catch(() => undefined);
  if (content === undefined) return sendError(res, 404, 'NoSuchKey', `The key ${key} does not exist`);
  const info = await objectInfo(folder, file);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': content.length,
    etag: info.etag,
    'x-amz-version-id': info.versionId,
    'last-modified': info.lastModified.toUTCString(),
  });
  res.end(req.method === 'HEAD' ? undefined : content);
}

/** The file behind a key, or undefined outside the mirrored prefix (or escaping the folder). */
function fileOf(folder: string, key: string): string | undefined {
  if (!key.startsWith(JOURNEYS_PREFIX)) return undefined;
  const file = join(folder, key.slice(JOURNEYS_PREFIX.length));
  // Only a `..` segment leaves the folder: `..x.json` is a legal key and a file inside it.
  const path = relative(folder, file);
  return path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path) ? undefined : file;
}

async function isFolder(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined))?.isDirectory() === true;
}

/** Why the folder cannot keep a key where it keeps a folder, or under one it keeps as a file. */
const FILE_FOLDER_CLASH =
  'names a folder of the local bucket, or a path under a key kept as a file: the local bucket is a folder of files and cannot keep both';

/** Writes an object's file; false when a folder stands where the file goes, or a file where a folder must. */
async function written(file: string, content: Buffer): Promise<boolean> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    return true;
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Why the folder cannot hold a key S3 would take, else undefined: a key
 * ending in `/` (a folder marker) names a folder, not a file, and a file name
 * holds no NUL. Refused as the client's request, not the server's failure.
 */
function unstorableKey(key: string): string | undefined {
  if (key.endsWith('/'))
    return 'ends in /: the local bucket is a folder of files and keeps no folder markers';
  if (key.includes('\0')) return 'holds a NUL character, which no file name in the local bucket can hold';
  return undefined;
}

/** The S3 view of a file in the folder. */
export async function objectInfo(folder: string, file: string): Promise<ObjectInfo> {
  const [content, stats] = await Promise.all([readFile(file), stat(file)]);
  const md5 = createHash('md5').update(content).digest('hex');
  return {
    key: JOURNEYS_PREFIX + relative(folder, file).split(sep).join('/'),
    size: content.length,
    etag: `"${md5}"`,
    versionId: createHash('sha256').update(content).digest('hex').slice(0, 32),
    lastModified: stats.mtime,
  };
}

async function listObjects(res: ServerResponse, bucket: string, folder: string, query: URLSearchParams) {
  const prefix = query.get('prefix') ?? '';
  const files = await readdir(folder, { recursive: true, withFileTypes: true });
  const infos = await Promise.all(
    files.filter((f) => f.isFile()).map((f) => objectInfo(folder, join(f.parentPath, f.name))),
  );
  const contents = infos
    .filter((info) => info.key.startsWith(prefix))
    .sort((a, b) => a.key.localeCompare(b.key))
    .map(
      (info) =>
        `<Contents><Key>${xml(info.key)}</Key><LastModified>${info.lastModified.toISOString()}</LastModified>` +
        `<ETag>${xml(info.etag)}</ETag><Size>${info.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    );
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${contents.length}</KeyCount>` +
    `<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents.join('')}</ListBucketResult>`;
  res.writeHead(200, { 'content-type': 'application/xml' }).end(body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml' }).end(body);
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Undoes `Content-Encoding: aws-chunked` framing (SDK streaming uploads with trailing checksums). */
function decodeAwsChunked(req: IncomingMessage, body: Buffer): Buffer {
  const encoding = String(req.headers['content-encoding'] ?? '');
  if (!encoding.includes('aws-chunked')) return body;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
