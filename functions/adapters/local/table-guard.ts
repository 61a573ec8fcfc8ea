import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/**
 * The credentials of the local table: made at random for each start and kept in a file only
 * this user can read, so only the runtime and the `newswatch` command can use the table.
 */
export interface LocalTableKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A new random key for the local table. */
export const newTableKey = (): LocalTableKey => ({
  accessKeyId: `NWLOCAL${randomBytes(10).toString('hex').toUpperCase()}`,
  secretAccessKey: randomBytes(30).toString('base64url'),
});

/** The largest request dynalite accepts (its own limit). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** How far a request's signing time may be from now, as on AWS. */
const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Why a request was refused: the status and the DynamoDB error type the SDK shows. */
interface Refusal {
  status: number;
  type: string;
  message: string;
}

/**
 * Checks a request's AWS Signature Version 4 against the table key. Returns why it does not
 * hold, or undefined when it does. Only what the SDK sends is accepted: the `Authorization`
 * header (not a presigned URL), the `host` header signed, path `/`, no query.
 */
export const checkSignature = (
  req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  body: Buffer,
  key: LocalTableKey,
  now: Date,
): string | undefined => {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return 'the request is not signed with AWS Signature Version 4';
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  if (accessKeyId !== key.accessKeyId) return 'the request is signed with another key';
  if (req.url !== '/') return 'the table answers on / only';
  const names = (signedHeaders as string).split(';');
  if (!names.includes('host')) return 'the host header is not signed';
  const amzDate = req.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date as string))
    return 'the request has no valid x-amz-date';
  const signedAt = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (!(Math.abs(now.getTime() - signedAt) <= MAX_CLOCK_SKEW_MS))
    return 'the request was signed too long ago';
  const canonicalHeaders = names
    .map((name) => {
      const value = req.headers[name];
      const text = Array.isArray(value) ? value.join(',') : (value ?? '');
      return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const canonicalRequest = [req.method, '/', '', canonicalHeaders, signedHeaders, sha256(body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${key.secretAccessKey}`, date as string), region as string), service as string),
    'aws4_request',
  );
  const expected = Buffer.from(createHmac('sha256', signingKey).update(stringToSign).digest('hex'));
  const given = Buffer.from(signature as string);
  return expected.length === given.length && timingSafeEqual(expected, given)
    ? undefined
    : 'the signature does not match';
};

const refuse = (res: ServerResponse, r: Refusal) => {
  const body = JSON.stringify({ __type: `com.amazon.coral.service#${r.type}`, message: r.message });
  res.writeHead(r.status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
};

/** The checks made before a request is read: who is asking, from where. */
const checkCaller = (req: IncomingMessage, port: () => number): Refusal | undefined => {
  const host = req.headers.host ?? '';
  const allowed = LOOPBACK_NAMES.map((name) => `${name}:${port()}`);
  if (!allowed.includes(host))
    return { status: 421, type: 'UnrecognizedClientException', message: `unknown host ${host}` };
  // A browser says where a request comes from; the runtime and the CLI never send these.
  if (req.headers.origin !== undefined || req.headers['sec-fetch-site'] !== undefined)
    return {
      status: 403,
      type: 'AccessDeniedException',
      message: 'the local table does not answer web pages',
    };
  if (req.method !== 'POST')
    return { status: 403, type: 'AccessDeniedException', message: 'the local table answers POST only' };
  return undefined;
};

/**
 * Wraps dynalite's request handler so that the table answers only requests signed with the
 * table key, addressed to this machine's loopback names and port, and sent by no web page.
 * Refused requests get a DynamoDB-style JSON error and never reach dynalite, so no CORS
 * header is ever sent.
 */
export const guardTable = (
  handler: RequestListener,
  key: LocalTableKey,
  port: () => number,
  now: () => Date = () => new Date(),
): RequestListener => {
  return (req, res) => {
    const early = checkCaller(req, port);
    if (early) {
      req.resume();
      refuse(res, early);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_REQUEST_BYTES) {
      req.resume();
      refuse(res, { status: 413, type: 'ValidationException', message: 'the request is too large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        refused = true;
        refuse(res, { status: 413, type: 'ValidationException', message: 'the request is too large' });
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (refused) return;
      const body = Buffer.concat(chunks);
      const problem = checkSignature(req, body, key, now());
      if (problem) {
        refuse(res, { status: 403, type: 'UnrecognizedClientException', message: problem });
        return;
      }
      // dynalite reads the request as a stream: it gets the same request with the body replayed.
      const replay = Object.assign(Readable.from(body.length > 0 ? [body] : []), {
        headers: req.headers,
        method: req.method,
        url: req.url,
        socket: req.socket,
      });
      handler(replay as unknown as IncomingMessage, res);
    });
  };
};
