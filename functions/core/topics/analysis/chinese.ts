import { defineAnalyser } from './analyser.ts';
import { defaultAnalyser, defaultRules } from './default.ts';

/**
 * Chinese: words cut by ICU's dictionary (中国向巴基斯坦捐赠疫苗 → 中国|向|巴基斯坦|捐赠|疫苗);
 * full-width letters and digits folded to their usual forms (ＷＨＯ → who). No stemming:
 * Chinese words do not inflect. Latin words in the text are stemmed as in English.
 */
export const chinese = defineAnalyser(
  {
    ...defaultRules,
    id: 'zh',
    name: 'Chinese',
    lower: (raw) => defaultRules.lower(raw.normalize('NFKC')),
    // Only words with a character outside ASCII can have a compatibility form.
    handles: /[^\p{ASCII}]/u,
  },
  defaultAnalyser,
);
