import { stemmer } from '@orama/stemmers/italian';
import { dropPossessive } from './analyser.ts';
import { HAS_LATIN, LATIN_WORD, snowballAnalyser } from './snowball.ts';

/** Elided articles and prepositions written onto the next word: l’Oms, dell’ospedale, un’altra. */
const ELISION =
  /^(?:l|un|dell|all|dall|nell|sull|coll|pell|quell|quest|bell|sant|tutt|d|c|s|m|t|v|n)['’](?=\p{L})/u;

/** Italian: elisions dropped ("dell’ospedale" → "ospedale"), Snowball stems ("vaccini", "vaccino" → "vaccin"). */
export const italian = snowballAnalyser({
  id: 'it',
  name: 'Italian',
  stemmer,
  script: LATIN_WORD,
  handles: HAS_LATIN,
  lower: (raw) => dropPossessive(raw.normalize('NFC').toLowerCase().replace(ELISION, '')),
});
