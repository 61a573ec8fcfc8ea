import { stemmer } from '@orama/stemmers/german';
import { HAS_LATIN, LATIN_WORD, snowballAnalyser } from './snowball.ts';

/**
 * German: Snowball stems, which also undo umlauts of plurals ("Häuser", "Haus" → "haus");
 * ß (and capital ẞ) fold to ss, so "Straße" and "Strasse" are one word.
 */
export const german = snowballAnalyser({
  id: 'de',
  name: 'German',
  stemmer,
  script: LATIN_WORD,
  handles: HAS_LATIN,
});
