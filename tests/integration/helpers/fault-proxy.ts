import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type Fault =
  | { kind: 'pass' }
  /** Answers for the service, without forwarding: nothing happened there. */
  | { kind: 'error'; status: number; headers: Record<string, string>; body: string }
  /** Forwards, so the call takes effect, then holds the answer longer than the client waits. */
  | { kind: 'late'; delayMs: number };

/** The call as the proxy sees it: service operation and body. */
export interface Call {
  /** e.g. `dynamodb:PutItem`, `sns:PublishBatch`, `s3:GET`. */
  operation: string;
  body: string;
}

export interface FaultProxy {
  endpoint: string;
  /** Faults injected so far, by operation and kind. */
  injected: Map<string, number>;
  /** Calls seen so far, by operation. */
  calls: Map<string, number>;
  /**
   * Calls that took effect but whose answer never reached the client (it gave up waiting):
   * the body of each, by operation. The client's retry repeats such a call.
   */
  lost: Map<string, string[]>;
  setRule(rule: (call: Call) => Fault): void;
  close(): Promise<void>;
}

const operationOf = (req: IncomingMessage, body: string): string => {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    // DynamoDB_20120810.PutItem, AmazonSQS.SendMessage
    const service = target.startsWith('DynamoDB')
      ? 'dynamodb'
      : target.startsWith('AmazonSQS')
        ? 'sqs'
        : 'json';
    return `${service}:${target.split('.').pop()}`;
  }
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  if (action) return `${/TopicArn|PublishBatchRequestEntries/.test(body) ? 'sns' : 'query'}:${action}`;
  return `s3:${req.method}`;
};

/** AWS-shaped error answers the SDK reads as it reads the real ones (and retries when it should). */
export const FAULTS = {
  dynamoThrottle: (): Fault => ({
    kind: 'error',
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: 'The level of configured provisioned throughput for the table was exceeded.',
    }),
  }),
  dynamoInternal: (): Fault => ({
    kind: 'error',
    status: 500,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'boom' }),
  }),
  snsInternal: (): Fault => ({
    kind: 'error',
    status: 500,
    headers: { 'content-type': 'text/xml' },
    body: '<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>injected</Message></Error><RequestId>x</RequestId></ErrorResponse>',
  }),
  snsThrottle: (): Fault => ({
    kind: 'error',
    status: 400,
    headers: { 'content-type': 'text/xml' },
    body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>x</RequestId></ErrorResponse>',
  }),
  s3SlowDown: (): Fault => ({
    kind: 'error',
    status: 503,
    headers: { 'content-type': 'application/xml' },
    body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
  }),
};

/**
 * An HTTP proxy on 127.0.0.1 in front of the emulator that injects faults into a chosen share
 * of calls: the SDK under test meets throttling, server errors and answers that come too late,
 * as it would on AWS, while the emulator still serves every call that gets through.
 */
export const startFaultProxy = async (target: string): Promise<FaultProxy> => {
  const upstream = new URL(target);
  let rule: (call: Call) => Fault = () => ({ kind: 'pass' });
  const injected = new Map<string, number>();
  const calls = new Map<string, number>();
  const lost = new Map<string, string[]>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const pending = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString('utf8');
      const operation = operationOf(req, body);
      bump(calls, operation);
      const fault = rule({ operation, body });
      if (fault.kind !== 'pass') bump(injected, `${operation} ${fault.kind}`);
      if (fault.kind === 'error') {
        res.writeHead(fault.status, { ...fault.headers, 'x-amzn-requestid': 'injected' });
        res.end(fault.body);
        return;
      }
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          const answer: Buffer[] = [];
          up.on('data', (c: Buffer) => answer.push(c));
          up.on('end', () => {
            const send = () => {
              if (res.destroyed) {
                lost.set(operation, [...(lost.get(operation) ?? []), body]);
                return;
              }
              res.writeHead(up.statusCode ?? 502, up.headers);
              res.end(Buffer.concat(answer));
            };
            if (fault.kind === 'late') {
              const t = setTimeout(() => {
                pending.delete(t);
                send();
              }, fault.delayMs);
              pending.add(t);
            } else send();
          });
        },
      );
      forward.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      forward.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    calls,
    lost,
    setRule: (r) => {
      rule = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of pending) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
