import { stemmer } from '@orama/stemmers/turkish';
import { HAS_LATIN, LATIN_WORD, snowballAnalyser } from './snowball.ts';

/**
 * Turkish: I and İ lower-cased the Turkish way (ISPARTA → ısparta, İSTANBUL → istanbul) before
 * the Snowball stemmer sees them; the suffix written after an apostrophe on a name is dropped
 * ("İstanbul’da" → "istanbul"). Folded forms then lose their marks like every Latin word
 * (ı → i, ş → s), so a query typed without Turkish letters still finds the word.
 */
export const turkish = snowballAnalyser({
  id: 'tr',
  name: 'Turkish',
  stemmer,
  script: LATIN_WORD,
  handles: HAS_LATIN,
  lower: (raw) =>
    raw
      .normalize('NFC')
      .toLocaleLowerCase('tr')
      .replace(/['’].*$/u, ''),
});
