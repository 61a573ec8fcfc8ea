import { stemmer } from '@orama/stemmers/portuguese';
import { HAS_LATIN, LATIN_WORD, snowballAnalyser } from './snowball.ts';

/** Portuguese: Snowball stems ("vacinas", "vacina" → "vacin"). */
export const portuguese = snowballAnalyser({
  id: 'pt',
  name: 'Portuguese',
  stemmer,
  script: LATIN_WORD,
  handles: HAS_LATIN,
});
