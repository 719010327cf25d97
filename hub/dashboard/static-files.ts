import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
};

/** Types worth compressing: text. PNG and WOFF2 are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.map', '.csv', '.ico']);

/** Below this, a compressed body plus its header saves nothing worth a CPU cycle. */
const MIN_COMPRESS_BYTES = 1024;

type Encoding = 'br' | 'gzip' | 'identity';

/** One file as served: its bytes, and each encoding once a client has asked for it. */
interface CachedFile {
  mtimeMs: number;
  size: number;
  etag: string;
  lastModified: string;
  contentType: string;
  compressible: boolean;
  bodies: Partial<Record<Encoding, Buffer>> & { identity: Buffer };
}

const COMPRESS: Record<Exclude<Encoding, 'identity'>, (bytes: Buffer) => Buffer> = {
  br: (bytes) =>
    brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }),
  gzip: (bytes) => gzipSync(bytes, { level: 9 }),
};

/**
 * The built dashboard's files, each read the first time it is asked for and compressed the first time a
 * client accepts an encoding (brotli at its best, gzip level 9), kept until the file changes on disk (a
 * rebuild): the dashboard is a few files, so this costs about a megabyte and later requests compress nothing.
 */
export class StaticFileCache {
  private readonly files = new Map<string, CachedFile>();

  /**
   * Answers GET/HEAD for `file` (already resolved inside the static folder): the smallest encoding the
   * client accepts, `Vary: Accept-Encoding`, an ETag and Last-Modified, and 304 when the client's copy is
   * current. `cacheControl` is the caller's (immutable for hashed assets, no-cache for pages).
   */
  send(
    request: IncomingMessage,
    response: ServerResponse,
    file: string,
    cacheControl: string,
    headOnly: boolean,
  ): void {
    const cached = this.load(file);
    const headers: Record<string, string | number> = {
      'content-type': cached.contentType,
      'cache-control': cacheControl,
      etag: cached.etag,
      'last-modified': cached.lastModified,
      vary: 'Accept-Encoding',
    };
    if (isNotModified(request, cached)) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    const encoding = cached.compressible ? chooseEncoding(request.headers['accept-encoding']) : 'identity';
    const body = bodyIn(cached, encoding);
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    headers['content-length'] = body.length;
    response.writeHead(200, headers);
    response.end(headOnly ? undefined : body);
  }

  private load(file: string): CachedFile {
    const stat = statSync(file);
    const known = this.files.get(file);
    if (known && known.mtimeMs === stat.mtimeMs && known.size === stat.size) return known;
    const bytes = readFileSync(file);
    const extension = extname(file);
    const cached: CachedFile = {
      mtimeMs: stat.mtimeMs,
      size: stat.size,
      // A strong ETag from the content: the same bytes after a rebuild keep the client's copy valid.
      etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`,
      lastModified: stat.mtime.toUTCString(),
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      compressible: COMPRESSIBLE.has(extension) && bytes.length >= MIN_COMPRESS_BYTES,
      bodies: { identity: bytes },
    };
    this.files.set(file, cached);
    return cached;
  }
}

/** If-None-Match decides when present (RFC 9110 13.2.2); otherwise If-Modified-Since, to the second. */
function isNotModified(request: IncomingMessage, cached: CachedFile): boolean {
  const noneMatch = request.headers['if-none-match'];
  if (noneMatch !== undefined) {
    return noneMatch.split(',').some((tag) => {
      const trimmed = tag.trim();
      return trimmed === '*' || trimmed.replace(/^W\//, '') === cached.etag;
    });
  }
  const modifiedSince = Date.parse(request.headers['if-modified-since'] ?? '');
  return Number.isFinite(modifiedSince) && Math.floor(cached.mtimeMs / 1000) * 1000 <= modifiedSince;
}

function bodyIn(cached: CachedFile, encoding: Encoding): Buffer {
  if (encoding === 'identity') return cached.bodies.identity;
  cached.bodies[encoding] ??= COMPRESS[encoding](cached.bodies.identity);
  return cached.bodies[encoding];
}

/** The smallest coding the client accepts (q > 0), brotli first; identity when it accepts neither. */
function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = acceptedEncodings(acceptEncoding ?? '');
  return accepted.has('br') ? 'br' : accepted.has('gzip') ? 'gzip' : 'identity';
}

/** The codings of an Accept-Encoding header with q > 0 (`*` stands for any not named). */
function acceptedEncodings(header: string): Set<string> {
  const accepted = new Set<string>();
  const refused = new Set<string>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) refused.add(name);
    else accepted.add(name);
  }
  if (accepted.has('*')) {
    for (const name of ['br', 'gzip']) if (!refused.has(name)) accepted.add(name);
  }
  return accepted;
}
