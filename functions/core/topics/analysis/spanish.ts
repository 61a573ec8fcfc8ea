import { stemmer } from '@orama/stemmers/spanish';
import { HAS_LATIN, LATIN_WORD, snowballAnalyser } from './snowball.ts';

/** Spanish: Snowball stems ("donación", "donaciones" → "donacion"). */
export const spanish = snowballAnalyser({
  id: 'es',
  name: 'Spanish',
  stemmer,
  script: LATIN_WORD,
  handles: HAS_LATIN,
});
