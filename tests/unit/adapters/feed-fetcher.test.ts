import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFeed, retryAfterMs } from '../../../functions/adapters/feeds/feed-fetcher.ts';
import { UnsafeFeedUrlError } from '../../../functions/core/alerts/ssrf.ts';
import type { FeedRequest } from '../../../functions/core/pipeline/ports.ts';

const HOST = 'feeds.newswatch.test';
const RSS = '<?xml version="1.0"?><rss version="2.0"><channel><title>Test</title></channel></rss>';

/** Answers by path, as a feed server would. */
const serve = (req: IncomingMessage, res: ServerResponse) => {
  const path = req.url ?? '/';
  const to = (status: number, location: string) => res.writeHead(status, { location }).end();
  switch (path) {
    case '/feed':
      if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304, { etag: '"v1"' }).end();
      return res
        .writeHead(200, {
          'content-type': 'application/rss+xml; charset=utf-8',
          etag: '"v1"',
          'last-modified': 'Tue, 01 Dec 2026 09:00:00 GMT',
        })
        .end(RSS);
    case '/big':
      return res.writeHead(200, { 'content-length': 5000 }).end('<'.padEnd(5000, 'x'));
    case '/chunked-big': {
      res.writeHead(200, { 'content-type': 'application/xml' });
      for (let i = 0; i < 10; i++) res.write('<'.padEnd(500, 'x'));
      return res.end();
    }
    case '/slow': {
      res.writeHead(200, { 'content-type': 'application/xml' });
      const timer = setInterval(() => res.write('<'), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/moved':
      return to(301, '/feed');
    case '/found':
      return to(302, '/feed');
    case '/loop':
      return to(302, '/loop');
    case '/to-internal':
      return to(302, 'https://internal.newswatch.test/feed');
    case '/to-metadata':
      return to(307, 'https://169.254.169.254/latest/meta-data/');
    case '/to-http':
      return to(302, `http://${HOST}/feed`);
    case '/busy':
      return res.writeHead(503, { 'retry-after': '120' }).end();
    case '/gzip':
      return res.writeHead(200, { 'content-encoding': 'gzip' }).end('not really gzip');
    default:
      return res.writeHead(404).end();
  }
};

describe('Function: fetchFeed (HTTPS server on 127.0.0.1)', () => {
  let server: Server;
  let ca: string;
  let base: string;
  const request = (path: string, extra: Partial<FeedRequest> = {}): FeedRequest => ({
    url: `${base}${path}`,
    headers: { accept: 'application/rss+xml' },
    maxBytes: 2048,
    timeoutMs: 5_000,
    ...extra,
  });
  const options = () => ({
    ca,
    // The server lives on loopback: allow exactly that address, as a public one would be.
    isAllowed: (address: string) => address === '127.0.0.1',
    resolve: (name: string) =>
      Promise.resolve(
        name === HOST ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.0.0.1', family: 4 }],
      ),
  });

  beforeAll(async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: HOST }], {
      notAfterDate: new Date(Date.now() + 86_400_000),
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: HOST }] }],
    });
    ca = pems.cert;
    server = createServer({ key: pems.private, cert: pems.cert }, serve);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `https://${HOST}:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('should fetch a document with its validators, and get 304 when sending them back', async () => {
    // Act
    const first = await fetchFeed(request('/feed'), options());
    const again = await fetchFeed(request('/feed', { headers: { 'if-none-match': '"v1"' } }), options());

    // Assess
    expect(first).toEqual({
      kind: 'document',
      body: new Uint8Array(Buffer.from(RSS)),
      etag: '"v1"',
      lastModified: 'Tue, 01 Dec 2026 09:00:00 GMT',
      contentType: 'application/rss+xml; charset=utf-8',
    });
    expect(again).toEqual({ kind: 'not-modified', etag: '"v1"' });
  });

  it('should refuse a body over the limit, whether its length is declared or not', async () => {
    // Act & Assess
    for (const path of ['/big', '/chunked-big']) {
      expect(await fetchFeed(request(path), options())).toEqual({
        kind: 'failed',
        status: 200,
        error: 'the document is over the 2048-byte limit for one file',
      });
    }
  });

  it('should cut off a server that answers byte by byte at the deadline', async () => {
    // Act
    const began = Date.now();
    const answer = await fetchFeed(request('/slow', { timeoutMs: 600, maxBytes: 1_000_000 }), options());

    // Assess
    expect(answer).toEqual({ kind: 'failed', error: 'no complete answer within 600 ms' });
    expect(Date.now() - began).toBeLessThan(2_000);
  });

  it('should follow redirects within the same checks, and say where a feed moved permanently', async () => {
    // Act
    const moved = await fetchFeed(request('/moved'), options());
    const found = await fetchFeed(request('/found'), options());

    // Assess
    expect(moved).toMatchObject({ kind: 'document', movedTo: `${base}/feed` });
    expect(found.kind).toBe('document');
    expect(found).not.toHaveProperty('movedTo');
    expect(await fetchFeed(request('/loop'), options())).toEqual({
      kind: 'failed',
      status: 302,
      error: 'more than 3 redirects',
    });
  });

  it('should refuse a redirect to an internal address, by name or by number, and to plain http', async () => {
    // Act & Assess
    await expect(fetchFeed(request('/to-internal'), options())).rejects.toThrow(
      new UnsafeFeedUrlError(
        'internal.newswatch.test resolves to 10.0.0.1, which feeds may not be fetched from',
      ),
    );
    await expect(fetchFeed(request('/to-metadata'), options())).rejects.toThrow(
      'a redirect (307) is refused: 169.254.169.254 is an internal address',
    );
    await expect(fetchFeed(request('/to-http'), options())).rejects.toThrow(
      'a redirect from https to http is not followed',
    );
  });

  it('should refuse a name that resolves to an internal address before connecting', async () => {
    // Act & Assess
    await expect(
      fetchFeed({ ...request('/feed'), url: 'https://news.example.org/rss' }, options()),
    ).rejects.toThrow('news.example.org resolves to 10.0.0.1');
  });

  it("should pass on a server's Retry-After, and refuse an encoding it did not ask for", async () => {
    // Act & Assess
    expect(await fetchFeed(request('/busy'), options())).toEqual({
      kind: 'failed',
      status: 503,
      error: 'the server answered 503 Service Unavailable',
      retryAfterMs: 120_000,
    });
    expect(await fetchFeed(request('/gzip'), options())).toMatchObject({
      kind: 'failed',
      error: 'the answer is compressed (gzip), which was not asked for',
    });
    expect(await fetchFeed(request('/nothing'), options())).toMatchObject({ kind: 'failed', status: 404 });
  });

  it('should not trust the test certificate without the ca option', async () => {
    // Act
    const { ca: _ca, ...untrusted } = options();
    const answer = await fetchFeed(request('/feed'), untrusted);

    // Assess
    expect(answer).toMatchObject({ kind: 'failed', error: expect.stringMatching(/certificate/i) });
  });
});

describe('Function: fetchFeed (plain http on this machine)', () => {
  it('should fetch over http from 127.0.0.1 only where the local runtime allows it', async () => {
    // Prepare
    const server = createHttpServer(serve);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`;
    const req = { url, headers: {}, maxBytes: 4096, timeoutMs: 5_000 };

    // Act
    const local = await fetchFeed(req, { allowLocalHttp: true });
    const refused = fetchFeed(req);

    // Assess
    expect(local).toMatchObject({ kind: 'document', etag: '"v1"' });
    await expect(refused).rejects.toThrow('feeds are fetched over https only');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('Function: retryAfterMs', () => {
  it('should read seconds and HTTP dates', () => {
    // Act & Assess
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:05:00 GMT', now)).toBe(300_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});
