/**
 * How an article's language is decided: the language the file declares wins when it is a
 * usable tag; otherwise an identifier guesses it from the first kibibyte of title and body,
 * with a confidence, and a guess too weak to trust is stored as undetermined (`und`).
 * Pure: the identifier is handed in (`language-identifier.ts` loads the one the pipeline uses).
 */

/** Where an article's language came from. */
export type LanguageSource = 'declared' | 'detected';

/** The language an article is given. */
export interface LanguageDecision {
  /** Lower-case primary subtag (`en`, `es`, `zh`), or `und` when the text does not tell. */
  language: string;
  source: LanguageSource;
  /** For a detected language: how far to trust it, in [0, 1]. */
  confidence?: number;
}

/** What an identifier makes of one window of text (a few hundred bytes). */
export interface WindowGuess {
  /** ISO 639-1 code. */
  language: string;
  /** The identifier's own score for that language, in [0, 1]; breaks ties between windows. */
  score: number;
}

/** Guesses the language of one short window of text; undefined when it has no guess at all. */
export type LanguageIdentifier = (window: string) => WindowGuess | undefined;

/** The code for a language that could not be determined (BCP 47 / ISO 639-2). */
export const UNDETERMINED = 'und';

/** UTF-8 bytes of title and body the identifier looks at: bounds the cost of any article. */
export const LANGUAGE_SAMPLE_BYTES = 1024;
/** Bytes per window handed to the identifier (the identifier reads about 350 bytes at a time). */
const WINDOW_BYTES = 340;
/** Letters at which a text counts as full evidence (a CJK character counts three, as in UTF-8). */
const FULL_EVIDENCE_LETTERS = 48;
/** Below this confidence a guess is not kept: the language is undetermined. */
export const MIN_LANGUAGE_CONFIDENCE = 0.5;

/** Tags that name no single language: undetermined, multiple, no linguistic content. */
const NOT_A_LANGUAGE = new Set(['und', 'mul', 'zxx', 'mis']);
/** Codes BCP 47 replaced, still seen in old feeds. */
const REPLACED: Record<string, string> = { iw: 'he', in: 'id', ji: 'yi' };

/**
 * The lower-case primary subtag of a BCP 47 tag (`es-MX` → `es`, `EN_gb` → `en`), or
 * undefined for anything that is not one or names no single language (`und`, `mul`).
 */
export const primaryLanguage = (tag: string | undefined): string | undefined => {
  const m = /^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$/.exec(tag ?? '');
  if (!m?.[1]) return undefined;
  const primary = m[1].toLowerCase();
  if (NOT_A_LANGUAGE.has(primary)) return undefined;
  return REPLACED[primary] ?? primary;
};

const utf8Bytes = (s: string): number => {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
};

/**
 * Pieces of at most `max` UTF-8 bytes of a word, cut between code points: scripts written
 * without spaces (Chinese, Japanese, Thai) give whole sentences as one word.
 */
const piecesOf = (word: string, max: number): string[] => {
  if (word.length * 3 <= max) return [word];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const ch of word) {
    const b = utf8Bytes(ch);
    if (bytes + b > max) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += ch;
    bytes += b;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
};

/** The first {@link LANGUAGE_SAMPLE_BYTES} of title and body, as words of at most a window each. */
const sampleOf = (title: string, paragraphs: readonly string[]): string[] => {
  const words: string[] = [];
  let bytes = 0;
  for (const part of [title, ...paragraphs]) {
    // Never more of a paragraph than the sample can hold, however long it is.
    const head = part.length > LANGUAGE_SAMPLE_BYTES ? part.slice(0, LANGUAGE_SAMPLE_BYTES) : part;
    for (const word of head.split(/\s+/)) {
      if (word === '') continue;
      for (const piece of piecesOf(word, WINDOW_BYTES)) {
        const b = utf8Bytes(piece) + 1;
        if (bytes + b > LANGUAGE_SAMPLE_BYTES) return words;
        words.push(piece);
        bytes += b;
      }
    }
  }
  return words;
};

/** Words grouped into windows of at most {@link WINDOW_BYTES} (a longer word is a window alone). */
const windowsOf = (words: readonly string[]): string[][] => {
  const windows: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const word of words) {
    const b = utf8Bytes(word) + 1;
    if (bytes + b > WINDOW_BYTES && current.length > 0) {
      windows.push(current);
      current = [];
      bytes = 0;
    }
    current.push(word);
    bytes += b;
  }
  if (current.length > 0) windows.push(current);
  return windows;
};

const WIDE_LETTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const LETTER = /[\p{L}\p{M}]/u;

/** Letters (and the marks on them) in the words, a Han, kana or Hangul character counting three. */
const evidenceOf = (words: readonly string[]): number => {
  let n = 0;
  for (const word of words) for (const ch of word) if (LETTER.test(ch)) n += WIDE_LETTER.test(ch) ? 3 : 1;
  return n;
};

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Guesses the language of a text from its first {@link LANGUAGE_SAMPLE_BYTES}: each window
 * gets a guess, weighed by the letters in it; the language with the most weight wins, and the
 * confidence is its share of the weight times how much text there was (full from
 * {@link FULL_EVIDENCE_LETTERS} letters). A confidence under {@link MIN_LANGUAGE_CONFIDENCE}
 * gives `und`.
 */
export const detectLanguage = (
  title: string,
  paragraphs: readonly string[],
  identify: LanguageIdentifier,
): LanguageDecision => {
  const votes = new Map<string, { weight: number; score: number }>();
  let letters = 0;
  for (const window of windowsOf(sampleOf(title, paragraphs))) {
    const weight = evidenceOf(window);
    letters += weight;
    const guess = weight > 0 ? identify(window.join(' ')) : undefined;
    const language = primaryLanguage(guess?.language);
    if (guess === undefined || language === undefined) continue;
    const v = votes.get(language) ?? { weight: 0, score: 0 };
    v.weight += weight;
    v.score += guess.score;
    votes.set(language, v);
  }
  const best = [...votes].sort((a, b) => b[1].weight - a[1].weight || b[1].score - a[1].score)[0];
  if (best === undefined) return { language: UNDETERMINED, source: 'detected', confidence: 0 };
  const agreement = best[1].weight / letters;
  const evidence = Math.min(1, letters / FULL_EVIDENCE_LETTERS);
  const confidence = round2(agreement * evidence);
  return {
    language: confidence >= MIN_LANGUAGE_CONFIDENCE ? best[0] : UNDETERMINED,
    source: 'detected',
    confidence,
  };
};

/** What the language is decided from. */
export interface LanguageInput {
  /** The tag the file states (`lang`, `language`, `<html lang>`, `xml:lang`, …), if any. */
  declared?: string | undefined;
  title: string;
  paragraphs: readonly string[];
}

/**
 * The article's language: the declared one when it is a usable tag, else the detected one
 * (possibly `und`). Without an identifier and without a usable declared tag, undefined:
 * the language is then not decided at all.
 */
export const decideLanguage = (
  input: LanguageInput,
  identify?: LanguageIdentifier,
): LanguageDecision | undefined => {
  const declared = primaryLanguage(input.declared);
  if (declared !== undefined) return { language: declared, source: 'declared' };
  return identify ? detectLanguage(input.title, input.paragraphs, identify) : undefined;
};

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

/**
 * The article's language as people read it: `Spanish (es), detected with confidence 0.92`,
 * `English (en), stated by the file`, `undetermined (confidence 0.31)`; undefined when
 * the article has none.
 */
export const languageLabel = (a: {
  language?: string;
  languageSource?: LanguageSource;
  languageConfidence?: number;
}): string | undefined => {
  if (a.language === undefined) return undefined;
  const confidence =
    a.languageConfidence === undefined ? '' : `confidence ${a.languageConfidence.toFixed(2)}`;
  if (a.language === UNDETERMINED) return `undetermined${confidence ? ` (${confidence})` : ''}`;
  let name = a.language;
  try {
    name = LANGUAGE_NAMES.of(a.language) ?? a.language;
  } catch {
    // A tag Intl does not take is shown as it is.
  }
  const named = name === a.language ? a.language : `${name} (${a.language})`;
  if (a.languageSource === 'declared') return `${named}, stated by the file`;
  if (a.languageSource === 'detected') return `${named}, detected${confidence ? ` with ${confidence}` : ''}`;
  return named;
};
