/**
 * JSON Lines (`.jsonl`, `.ndjson`): one article object per line, with the field names of
 * `json.ts`. Each line is an item of its own; a bad line is refused alone, with its line number.
 */
import { articleError } from '../article.ts';
import type { ArticleFormatReader, DraftItem, FormatReading } from './format.ts';
import { draftFromObject, itemName, readJson } from './json.ts';

export const jsonLinesFormat: ArticleFormatReader = {
  name: 'jsonl',
  input: 'text',
  recognises: ({ key }) => /\.(jsonl|ndjson)$/i.test(key),
  read: ({ text }): FormatReading => {
    const items: DraftItem[] = [];
    const seen = new Set<string>();
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const data = readJson(line, i);
      let item = data.ok ? itemName(data.value, i + 1) : String(i + 1);
      if (seen.has(item)) item = `${item}~${i + 1}`;
      seen.add(item);
      if (!data.ok) return items.push({ item, draft: data });
      const value = data.value;
      const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
      items.push({
        item,
        draft: isObject
          ? draftFromObject(value as Record<string, unknown>)
          : articleError('InvalidArticle', `line ${i + 1} is not a JSON object`, { line: i + 1 }),
      });
    });
    if (items.length === 0)
      return { kind: 'error', error: { kind: 'EmptyFile', message: 'the JSON Lines file has no lines' } };
    return { kind: 'container', items };
  },
};
