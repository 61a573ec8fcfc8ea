import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { EmlOutbox } from '../../../functions/adapters/local/outbox.ts';
import { composeAlertDocument, composeAlertEmail } from '../../../functions/core/alerts/compose.ts';
import { HOSTILE_CASES, hostileAlert } from '../../fixtures/hostile-articles.ts';

const dir = mkdtempSync(join(tmpdir(), 'newswatch-eml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const caseNamed = (name: string) => {
  const c = HOSTILE_CASES.find((x) => x.name === name);
  if (!c) throw new Error(`no hostile case ${name}`);
  return c;
};

/** Writes the alert's email as the local runtime does and reads the file back with mailparser. */
const sendAndParse = async (name: string) => {
  const alert = hostileAlert(caseNamed(name));
  const { subject, text } = composeAlertEmail(alert);
  const path = await new EmlOutbox(dir).send({
    to: 'desk@example.org',
    id: alert.id,
    subject,
    text,
    json: composeAlertDocument(alert),
  });
  const raw = readFileSync(path);
  return { alert, subject, text, raw, mail: await simpleParser(raw) };
};

describe('Class: EmlOutbox (UTF-8 subjects)', () => {
  it('should keep a CJK title in the subject of the .eml, encoded as RFC 2047 words', async () => {
    // Act
    const { mail, raw } = await sendAndParse('a CJK title');

    // Assess
    expect(mail.subject).toBe('[newswatch] International health aid: 韩国向阿塞拜疆运送医用口罩');
    const header = /^Subject: (.*(?:\n[ \t].*)*)/m.exec(raw.toString('latin1'))?.[1] ?? '';
    expect(header).toMatch(/=\?UTF-8\?[BQ]\?/i);
    // The header itself is ASCII, as RFC 5322 requires.
    expect(header).toMatch(/^[\x20-\x7e\s]*$/);
    expect(mail.text?.split('\n')[0]).toBe('韩国向阿塞拜疆运送医用口罩');
    expect(mail.text).toContain('by 记者 李明');
  });

  it.each(HOSTILE_CASES.map((c) => [c.name]))(
    'should write an email mailparser reads back intact for %s',
    async (name) => {
      // Act
      const { mail, subject, text, alert } = await sendAndParse(name);

      // Assess
      expect(mail.subject).toBe(subject);
      expect(mail.text).toBe(text);
      // No half emoji shown as U+FFFD (only the article with lone surrogates holds one).
      if (!name.startsWith('lone surrogates')) expect(`${mail.subject}${mail.text}`).not.toContain('\ufffd');
      expect(mail.headers.get('bcc')).toBeUndefined();
      const attachment = mail.attachments[0];
      expect(attachment?.contentType).toBe('application/json');
      expect(JSON.parse(attachment?.content.toString('utf8') ?? '')).toEqual(composeAlertDocument(alert));
    },
  );
});
