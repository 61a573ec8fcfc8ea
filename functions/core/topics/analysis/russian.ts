import { stemmer } from '@orama/stemmers/russian';
import { snowballAnalyser } from './snowball.ts';

/**
 * Russian: Snowball stems ("вакцины", "вакцину" → "вакцин"); ё folds to е, й stays a letter
 * of its own, stress marks go.
 */
export const russian = snowballAnalyser({
  id: 'ru',
  name: 'Russian',
  stemmer,
  script: /^[\p{sc=Cyrillic}\p{M}]+$/u,
  handles: /\p{sc=Cyrillic}/u,
  lower: (raw) =>
    raw
      .normalize('NFD')
      .replace(/[\u0300\u0301]/g, '')
      .normalize('NFC')
      .toLowerCase()
      .replace(/ё/g, 'е'),
});
