import { beforeAll, describe, expect, it } from 'vitest';
import {
  decideLanguage,
  detectLanguage,
  LANGUAGE_SAMPLE_BYTES,
  type LanguageIdentifier,
  languageLabel,
  primaryLanguage,
} from '../../../functions/core/articles/language.ts';
import { loadLanguageIdentifier } from '../../../functions/core/articles/language-identifier.ts';
import { parseArticle, type ParseOptions } from '../../../functions/core/articles/parse-article.ts';
import { readArticleFile } from '../../../functions/core/articles/read-file.ts';
import { languageSamples, undeterminedSamples } from '../../fixtures/language-samples.ts';

/** An identifier that names one language for every window, counting the windows it saw. */
const always = (language: string, seen: string[] = []): LanguageIdentifier => {
  return (window) => {
    seen.push(window);
    return { language, score: 0.8 };
  };
};
const enc = new TextEncoder();
const samplesOf = (language: string) => {
  const s = languageSamples.find((x) => x.language === language);
  if (!s) throw new Error(`no samples for ${language}`);
  return s;
};

describe('Function: primaryLanguage', () => {
  it('should keep the lower-case primary subtag of a BCP 47 tag', () => {
    // Act
    const tags = ['es-MX', 'EN_gb', 'zh-Hant-TW', 'pt', ' fr-CA '].map(primaryLanguage);

    // Assess
    expect(tags).toEqual(['es', 'en', 'zh', 'pt', 'fr']);
  });

  it('should refuse what is no tag or names no single language, and update replaced codes', () => {
    // Act
    const tags = ['und', 'mul', 'zxx', 'English', 'e', '12', '', undefined, 'iw', 'in-ID'].map(
      primaryLanguage,
    );

    // Assess
    expect(tags).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      'he',
      'id',
    ]);
  });
});

describe('Function: decideLanguage', () => {
  const text = { title: 'Floods force thousands from their homes', paragraphs: samplesOf('en').sentences };

  it('should take the declared language over what the text looks like, without asking the identifier', () => {
    // Prepare
    const seen: string[] = [];

    // Act
    const decision = decideLanguage({ ...text, declared: 'es-MX' }, always('en', seen));

    // Assess
    expect(decision).toEqual({ language: 'es', source: 'declared' });
    expect(seen).toEqual([]);
  });

  it('should detect when the declared tag is not usable', () => {
    // Act
    const decision = decideLanguage({ ...text, declared: 'und' }, always('en'));

    // Assess
    expect(decision).toEqual({ language: 'en', source: 'detected', confidence: 1 });
  });

  it('should leave the language undecided when nothing is declared and no identifier is given', () => {
    // Act
    const decision = decideLanguage(text);

    // Assess
    expect(decision).toBeUndefined();
  });

  it('should look only at the first kibibyte of the text, however long it is', () => {
    // Prepare
    const seen: string[] = [];
    const long = Array.from({ length: 2000 }, () => samplesOf('de').sentences[0] as string);

    // Act
    detectLanguage('Titel', long, always('de', seen));

    // Assess
    const bytes = seen.reduce((n, w) => n + enc.encode(w).length + 1, 0);
    expect(bytes).toBeLessThanOrEqual(LANGUAGE_SAMPLE_BYTES + seen.length);
    expect(seen.length).toBeLessThanOrEqual(4);
  });

  it('should lower the confidence when the windows disagree, down to undetermined', () => {
    // Prepare: each window answers another language in turn.
    let n = 0;
    const split: LanguageIdentifier = () => ({ language: ['es', 'pt', 'it'][n++ % 3] as string, score: 0.7 });
    const paragraphs = [samplesOf('es').sentences.join(' '), samplesOf('pt').sentences.join(' ')];

    // Act
    const decision = detectLanguage('', paragraphs, split);

    // Assess
    expect(decision.language).toBe('und');
    expect(decision.confidence).toBeLessThan(0.5);
  });
});

describe('Function: detectLanguage with the identifier the pipeline uses', () => {
  let identify: LanguageIdentifier;
  beforeAll(async () => {
    identify = await loadLanguageIdentifier();
  });

  it.each(['en', 'es', 'ru', 'fr', 'de', 'pt', 'it', 'tr', 'ar', 'zh', 'ja', 'th'])(
    'should detect %s in a few sentences of news',
    (language) => {
      for (const sentence of samplesOf(language).sentences) {
        // Act
        const decision = detectLanguage('', [sentence], identify);

        // Assess
        expect(decision, sentence).toMatchObject({ language, source: 'detected' });
        expect(decision.confidence).toBeGreaterThanOrEqual(0.5);
      }
    },
  );

  it.each(['en', 'es', 'ru', 'fr', 'de', 'ar'])('should detect %s in a headline alone', (language) => {
    for (const title of samplesOf(language).titles) {
      // Act
      const decision = detectLanguage(title, [], identify);

      // Assess
      expect(decision.language, title).toBe(language);
    }
  });

  it('should call a text too short or made of names, numbers and codes undetermined', () => {
    // Act
    const decisions = undeterminedSamples.map((t) => detectLanguage(t, [], identify));

    // Assess
    for (const [i, d] of decisions.entries()) {
      expect(d.language, undeterminedSamples[i]).toBe('und');
      expect(d.confidence).toBeLessThan(0.5);
    }
  });

  it('should take the language of the body when the headline says little', () => {
    // Act
    const decision = detectLanguage('COVID-19', samplesOf('es').sentences, identify);

    // Assess
    expect(decision).toEqual({ language: 'es', source: 'detected', confidence: 1 });
  });
});

describe('Function: languageLabel', () => {
  it('should say where the language came from and how sure the detection is', () => {
    // Act
    const labels = [
      languageLabel({ language: 'es', languageSource: 'declared' }),
      languageLabel({ language: 'ru', languageSource: 'detected', languageConfidence: 0.9 }),
      languageLabel({ language: 'und', languageSource: 'detected', languageConfidence: 0.3 }),
      languageLabel({}),
    ];

    // Assess
    expect(labels).toEqual([
      'Spanish (es), stated by the file',
      'Russian (ru), detected with confidence 0.90',
      'undetermined (confidence 0.30)',
      undefined,
    ]);
  });
});

describe('Articles: the language stored with each', () => {
  const receivedAt = '2026-12-01T10:00:00Z';
  const file = (key: string, text: string) => ({ key, bytes: enc.encode(text), receivedAt });

  it('should detect the language of a plain text file read with every format', async () => {
    // Prepare
    const text = `Hochwasser vertreibt Tausende\n\n${samplesOf('de').sentences.join('\n\n')}`;

    // Act
    const reading = await readArticleFile(file('incoming/hochwasser.txt', text));

    // Assess
    expect(reading.kind).toBe('article');
    if (reading.kind !== 'article') return;
    expect(reading.article).toMatchObject({ language: 'de', languageSource: 'detected' });
    expect(reading.article.languageConfidence).toBeGreaterThanOrEqual(0.5);
  });

  it('should keep the language a JSON file states, as its primary subtag', async () => {
    // Prepare: the text is English, the file says Mexican Spanish.
    const json = JSON.stringify({
      title: 'Floods',
      body: samplesOf('en').sentences.join('\n\n'),
      lang: 'es-MX',
    });

    // Act
    const reading = await readArticleFile(file('incoming/floods.json', json));

    // Assess
    expect(reading.kind === 'article' && reading.article).toMatchObject({
      language: 'es',
      languageSource: 'declared',
    });
    expect(reading.kind === 'article' && reading.article.languageConfidence).toBeUndefined();
  });

  it('should detect with parseArticle only when handed an identifier', async () => {
    // Prepare
    const text = samplesOf('fr').sentences.join('\n\n');
    const options: ParseOptions = { maxBytes: 100_000, identifyLanguage: await loadLanguageIdentifier() };

    // Act
    const without = parseArticle(file('incoming/a.txt', text));
    const withIdentifier = parseArticle(file('incoming/a.txt', text), options);

    // Assess
    expect(without.ok && without.value.language).toBeUndefined();
    expect(withIdentifier.ok && withIdentifier.value).toMatchObject({
      language: 'fr',
      languageSource: 'detected',
    });
  });
});
