import { stemmer } from '@orama/stemmers/french';
import { dropPossessive } from './analyser.ts';
import { HAS_LATIN, LATIN_WORD, snowballAnalyser } from './snowball.ts';

/** Elided articles, pronouns and conjunctions written onto the next word: l’aide, d’urgence, qu’il. */
const ELISION = /^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)['’](?=\p{L})/u;

/** French: elisions dropped ("l’aide" → "aide"), Snowball stems ("vaccins", "vaccin" → "vaccin"). */
export const french = snowballAnalyser({
  id: 'fr',
  name: 'French',
  stemmer,
  script: LATIN_WORD,
  handles: HAS_LATIN,
  lower: (raw) => dropPossessive(raw.normalize('NFC').toLowerCase().replace(ELISION, '')),
});
