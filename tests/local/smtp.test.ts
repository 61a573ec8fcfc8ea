import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalRuntime } from '../../local/runtime.ts';
import { eventLog, makeWorkspace, waitFor } from './helpers.ts';

describe('Local runtime: email through SMTP', () => {
  const ws = makeWorkspace();
  afterAll(() => ws.remove());

  it('should send the seed alert to its subscriber through the configured SMTP server', async () => {
    // Prepare: an SMTP server on this machine that keeps what it receives.
    const received: Array<{ from: string; to: string[]; data: string }> = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
          });
          callback();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.server.address() as AddressInfo).port;
    const log = eventLog();

    // Act
    const runtime = await startLocalRuntime({
      paths: ws.paths,
      settleMs: 100,
      smtpUrl: `smtp://127.0.0.1:${port}`,
      onEvent: log.onEvent,
    });
    await waitFor('the email', () => (received.length > 0 ? true : undefined));
    await runtime.idle();
    await runtime.stop();
    await new Promise<void>((r) => server.close(() => r()));

    // Assess
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual(['health-desk@example.org']);
    expect(received[0]?.from).toBe('newswatch@localhost');
    // The subject is UTF-8 (RFC 2047 words on the wire): read it as a mail program does.
    const mail = await simpleParser(received[0]?.data ?? '');
    expect(mail.subject).toMatch(/^\[newswatch\] International health aid: /);
    expect(log.of('delivery')[0]?.delivery).toMatchObject({ channel: 'email', outcome: 'delivered' });
    expect(log.of('delivery')[0]?.delivery.target).toMatch(/^smtp .* to health-desk@example\.org$/);
  });
});
