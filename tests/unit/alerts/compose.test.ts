import { readTopicFolder } from '../../../functions/adapters/local/topic-folder.ts';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../../functions/core/articles/parse-article.ts';
import { type Alert, alertIdFor } from '../../../functions/core/alerts/alert.ts';
import {
  type AlertDocument,
  composeAlertDocument,
  composeAlertEmail,
  composeSnsMessage,
} from '../../../functions/core/alerts/compose.ts';
import { snsSubject } from '../../../functions/core/alerts/channel-text.ts';
import {
  composeDigestDocument,
  composeDigestEmail,
  composeDigestSnsMessage,
} from '../../../functions/core/alerts/digest.ts';
import { compileTopics, matchArticle } from '../../../functions/core/topics/matcher.ts';

const { loaded } = readTopicFolder('tests/fixtures/seeds/topics');
const { index } = compileTopics(loaded.topics, loaded.lists);

/** The alert the pipeline would build for a seed article and a topic. */
const seedAlert = (file: string, topicId: string): Alert => {
  const parsed = parseArticle({
    key: `incoming/${file}`,
    bytes: readFileSync(`tests/fixtures/seeds/articles/${file}`),
    receivedAt: '2026-11-23T10:00:00Z',
  });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const a = parsed.value;
  const match = matchArticle(index, a).matches.find((m) => m.topicId === topicId);
  if (!match) throw new Error(`${file} does not match ${topicId}`);
  return {
    id: alertIdFor(a.id, topicId),
    kind: 'alert',
    createdAt: '2026-11-23T10:00:01.000Z',
    topic: { id: match.topicId, name: match.topicName },
    score: match.score,
    article: {
      id: a.id,
      title: a.title,
      date: a.date,
      ...(a.author ? { author: a.author } : {}),
      location: `s3://articles-bucket/incoming/${file}`,
    },
    explanation: match.explanation,
  };
};

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync('docs/alert.schema.json', 'utf8')) as object);

describe('Function: alertIdFor', () => {
  it('should be stable per (article, topic) and differ between pairs', () => {
    // Act & Assess
    expect(alertIdFor('a'.repeat(32), 'x')).toBe(alertIdFor('a'.repeat(32), 'x'));
    expect(alertIdFor('a'.repeat(32), 'x')).not.toBe(alertIdFor('a'.repeat(32), 'y'));
    expect(alertIdFor('a'.repeat(32), 'x')).toMatch(/^alert_[0-9a-f]{24}$/);
  });
});

describe('Function: composeAlertEmail', () => {
  it('should render 000 for international-health-aid line by line', () => {
    // Act
    const email = composeAlertEmail(seedAlert('000_9c9c4874b48bb81e.txt', 'international-health-aid'));

    // Assess
    expect(email.subject).toBe(
      '[newswatch] International health aid: A ceremony has been held at the Azerbaijan…',
    );
    expect(email.snsSubject).toBe(
      '[newswatch] International health aid: A ceremony has been held at the Azerbaijan...',
    );
    expect(email.subject.length).toBeLessThanOrEqual(90);
    const lines = email.text.split('\n');
    expect(lines.slice(0, 10)).toEqual([
      'A ceremony has been held at the Azerbaijan Foreign Ministry on receiving medical masks brough by South Korea as part…',
      '2020-07-26 · by Ayya Lmahamad',
      '',
      'Topic: International health aid',
      'Score: 0.92 (strong)',
      '',
      'Why it matched:',
      'masks ×4, disinfectant* ×1, delivered ×1, provided ×1, transfer ×2, received ×2, countries ×23, international bodies ×1',
      'Countries: Azerbaijan, South Korea',
      '',
    ]);
    expect(lines[10]).toBe(
      "…Minister Ramiz Hasanov noted that *South Korea* has shown solidarity with *Azerbaijan* and *provided* material and moral support from the very first day of *Azerbaijan's* fight against coronavirus. He said that the *transfer* of medical *masks* by the government of South Korea to…",
    );
    expect(lines.slice(11)).toEqual([
      '',
      'File: s3://articles-bucket/incoming/000_9c9c4874b48bb81e.txt',
      `Alert: ${alertIdFor(seedAlert('000_9c9c4874b48bb81e.txt', 'international-health-aid').article.id, 'international-health-aid')}`,
      '',
    ]);
  });

  it('should render 003 for global-health-cooperation line by line, without an author', () => {
    // Prepare
    const alert = seedAlert('003_c3fb651c5343490c.txt', 'global-health-cooperation');

    // Act
    const email = composeAlertEmail(alert);

    // Assess
    expect(email.subject).toBe(
      '[newswatch] Global health cooperation: Azerbaijan continues international cooperation…',
    );
    expect(email.snsSubject).toBe(
      '[newswatch] Global health cooperation: Azerbaijan continues international cooperation...',
    );
    expect(email.text.split('\n')).toEqual([
      'Azerbaijan continues international cooperation regarding COVID-19, Assistant to the President of Azerbaijan, Head of…',
      '2020-07-01',
      '',
      'Topic: Global health cooperation',
      'Score: 0.91 (strong)',
      '',
      'Why it matched:',
      'covid ×4, coronavirus ×6, health ×1, cooperat* ×3, initiative* ×4, solidarity ×1, session ×2, org:WHO ×1, and 1 more',
      'Countries: Azerbaijan, Armenia',
      '',
      '…opposes the Azerbaijani president’s global *initiative* to convene a special *session* of the *UN General Assembly*. "This again exposed Armenia’s true essence,” assistant to the Azerbaijani president added. “All countries show *solidarity* regarding the battle with COVID-19. All…',
      '',
      'File: s3://articles-bucket/incoming/003_c3fb651c5343490c.txt',
      `Alert: ${alert.id}`,
      '',
    ]);
  });
});

describe('Function: composeAlertDocument', () => {
  it("should say what a topic's trained stage made of the match, in the email and the document", () => {
    // Prepare
    const alert: Alert = {
      ...seedAlert('000_9c9c4874b48bb81e.txt', 'international-health-aid'),
      score: 0.83,
      stage: {
        probability: 0.83,
        baseScore: 0.71,
        top: [
          { feature: 'coverage', effect: 1.24 },
          { feature: 'term:donat*', effect: 0.8 },
          { feature: 'bodyWords', effect: -0.31 },
        ],
      },
    };

    // Act
    const email = composeAlertEmail(alert);
    const doc = composeAlertDocument(alert);

    // Assess
    expect(email.text).toContain(
      "Trained on this topic's labels: 0.83 from a score of 0.71; weighed most: coverage +1.2, term:donat* +0.8, bodyWords -0.3",
    );
    expect(doc.why.stage).toEqual(alert.stage);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it('should produce a document valid against docs/alert.schema.json', () => {
    // Act
    const doc = composeAlertDocument(seedAlert('000_9c9c4874b48bb81e.txt', 'international-health-aid'));

    // Assess
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toMatchObject({
      schema: 'newswatch.alert/v1',
      kind: 'alert',
      topic: { id: 'international-health-aid' },
    });
    expect(doc.why.terms[0]).toEqual({ term: 'masks', list: 'health_supplies', count: 4 });
  });

  it('should be rejected by the schema when a required field is missing or unknown fields appear', () => {
    // Prepare
    const doc = composeAlertDocument(seedAlert('000_9c9c4874b48bb81e.txt', 'international-health-aid'));
    const { why: _why, ...withoutWhy } = doc;

    // Act & Assess
    expect(validate(withoutWhy)).toBe(false);
    expect(validate({ ...doc, extra: 1 })).toBe(false);
    expect(validate({ ...doc, score: 1.5 })).toBe(false);
  });
});

describe('Function: snsSubject', () => {
  it.each([
    ['Über die Lage in Łódź – “Hilfe” kommt…', 'Uber die Lage in Lodz - "Hilfe" kommt...'],
    ['新聞 Seoul\nnews', 'Seoul news'],
    ['a '.repeat(80), `${'a '.repeat(43).trim()}...`],
  ])('should make %j a subject SNS accepts', (text, subject) => {
    // Act
    const out = snsSubject(text);

    // Assess
    expect(out).toBe(subject);
    expect(out).toMatch(/^[\x20-\x7e]{1,99}$/);
  });
});

describe('Function: composeDigestEmail', () => {
  it("should list the day's alerts, best first, one short block each", () => {
    // Prepare
    const a = seedAlert('000_9c9c4874b48bb81e.txt', 'international-health-aid');
    const b = { ...seedAlert('003_c3fb651c5343490c.txt', 'global-health-cooperation'), score: 0.6 };

    // Act
    const email = composeDigestEmail({
      id: 'digest_desk_2026-11-23',
      subscriberId: 'desk',
      day: '2026-11-23',
      alerts: [a, b],
    });
    const doc = composeDigestDocument({
      id: 'digest_desk_2026-11-23',
      subscriberId: 'desk',
      day: '2026-11-23',
      alerts: [a, b],
    });

    // Assess
    expect(email.subject).toBe('[newswatch] 2 alerts on 2026-11-23');
    expect(email.text.split('\n').slice(0, 7)).toEqual([
      '2 alerts on 2026-11-23',
      '',
      `1. ${a.article.title}`,
      '   International health aid · score 0.92 (strong) · 2020-07-26',
      '   Azerbaijan, South Korea',
      '   s3://articles-bucket/incoming/000_9c9c4874b48bb81e.txt',
      '',
    ]);
    expect(email.text).toContain('   Global health cooperation · score 0.60 (good) · 2020-07-01');
    expect(doc.alerts.map((x) => validate(x))).toEqual([true, true]);
  });

  it('should list at most 40 alerts and count the rest', () => {
    // Prepare
    const a = seedAlert('000_9c9c4874b48bb81e.txt', 'international-health-aid');
    const alerts = Array.from({ length: 45 }, (_, i) => ({
      ...a,
      id: `alert_${String(i).padStart(24, '0')}`,
    }));
    const digest = { id: 'digest_desk_2026-11-23', subscriberId: 'desk', day: '2026-11-23', alerts };

    // Act
    const email = composeDigestEmail(digest);
    const doc = composeDigestDocument(digest);

    // Assess
    expect(email.subject).toBe('[newswatch] 45 alerts on 2026-11-23');
    expect(email.text).toContain('…and 5 more with lower scores.');
    expect(doc.alerts).toHaveLength(40);
    expect(doc.total).toBe(45);
    expect(Buffer.byteLength(composeDigestSnsMessage(digest).message)).toBeLessThan(256 * 1024);
  });
});

describe('Function: composeSnsMessage', () => {
  it('should carry email text, the JSON document for machines, and filterable attributes', () => {
    // Act
    const msg = composeSnsMessage(seedAlert('000_9c9c4874b48bb81e.txt', 'international-health-aid'));

    // Assess
    const structure = JSON.parse(msg.message) as Record<string, string>;
    expect(Object.keys(structure).sort()).toEqual(['default', 'email']);
    expect(structure.email).toContain('Topic: International health aid');
    expect(validate(JSON.parse(structure.default as string))).toBe(true);
    expect(msg.attributes).toEqual({
      topicId: { DataType: 'String', StringValue: 'international-health-aid' },
      score: { DataType: 'Number', StringValue: '0.915' },
      countries: { DataType: 'String.Array', StringValue: '["AZ","KR"]' },
      kind: { DataType: 'String', StringValue: 'alert' },
      storyRole: { DataType: 'String', StringValue: 'first' },
      // The article was read without a language identifier: its language is not known.
      language: { DataType: 'String', StringValue: 'und' },
    });
  });

  it("should carry the article's language as an attribute and in the document", () => {
    // Prepare
    const alert = seedAlert('000_9c9c4874b48bb81e.txt', 'international-health-aid');
    alert.article.language = 'es';
    alert.article.languageSource = 'detected';

    // Act
    const msg = composeSnsMessage(alert);

    // Assess
    const doc = JSON.parse((JSON.parse(msg.message) as { default: string }).default) as AlertDocument;
    expect(msg.attributes.language).toEqual({ DataType: 'String', StringValue: 'es' });
    expect(doc.article).toMatchObject({ language: 'es', languageSource: 'detected' });
    expect(validate(doc)).toBe(true);
  });
});
