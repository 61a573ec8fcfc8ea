/**
 * The language identifier the pipeline uses: ELD (`eld`, Efficient Language Detector), its
 * extra-small n-gram table of 60 languages. It is loaded the first time an article states no
 * language (about 1 MB of tables, bundled beside the ingest function like the document
 * libraries: `infra/separate-modules.ts`; a file that declares its language never loads it). Why
 * ELD and this table: `docs/article-formats.md`, "How the language is decided".
 */
import type { LanguageIdentifier } from './language.ts';

let loading: Promise<LanguageIdentifier> | undefined;

/** The identifier, loaded once per process. */
export const loadLanguageIdentifier = (): Promise<LanguageIdentifier> =>
  (loading ??= import('eld/extrasmall').then(({ eld }) => {
    // ELD's own clean-up (addresses, codes) is left off: it doubles the cost and changed no
    // result on the corpus; a window of links or codes has few letters and weighs little.
    const detector = eld.newInstance();
    return (window: string) => {
      const result = detector.detect(window);
      if (result.language === '') return undefined;
      return { language: result.language, score: result.getScores()[result.language] ?? 0 };
    };
  }));
