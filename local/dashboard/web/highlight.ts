import type { ArticleDetail } from '../../services.ts';
import { append, fragment, h } from './dom.ts';

/**
 * Matched words marked in an article's text. Positions come from the server's explanation of
 * each match; text is only ever added as text nodes.
 */

type ArticleMatch = ArticleDetail['matches'][number];
type Position = ArticleMatch['explanation']['terms'][number]['positions'][number];

/** Must match PARAGRAPH_SEPARATOR in functions/core/topics/article-view.ts: body offsets count it. */
const PARAGRAPH_SEPARATOR = '\n\n';

/** A range of text to mark, and what it is (shown as the mark's tooltip). */
export interface MarkRange {
  start: number;
  end: number;
  label: string;
}

/**
 * `text` with `ranges` wrapped in <mark>. Overlapping ranges ("masks" inside "medical masks",
 * or the same word matched by two topics) merge into one mark listing every label.
 */
export function highlight(text: string, ranges: readonly MarkRange[]): DocumentFragment {
  const merged: Array<{ start: number; end: number; labels: Set<string> }> = [];
  const sorted = ranges
    .map((r) => ({ ...r, start: Math.max(0, r.start), end: Math.min(text.length, r.end) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  for (const r of sorted) {
    const last = merged.at(-1);
    if (last && r.start < last.end) {
      last.end = Math.max(last.end, r.end);
      last.labels.add(r.label);
    } else merged.push({ start: r.start, end: r.end, labels: new Set([r.label]) });
  }
  const out = document.createDocumentFragment();
  let at = 0;
  for (const m of merged) {
    append(
      out,
      text.slice(at, m.start),
      h('mark', { title: [...m.labels].join('; ') }, text.slice(m.start, m.end)),
    );
    at = m.end;
  }
  append(out, text.slice(at));
  return out;
}

/** A match snippet, whose terms the server marks **like this**, with those terms in <mark>. */
export function renderSnippet(snippet: string): DocumentFragment {
  // Split pieces alternate plain / marked, as the server always writes the markers in pairs.
  return fragment(...snippet.split('**').map((piece, i) => (i % 2 === 1 ? h('mark', {}, piece) : piece)));
}

/** Every matched position of an article's matches in one field, labelled with term and topic. */
export const rangesIn = (matches: readonly ArticleMatch[], field: Position['field']): MarkRange[] =>
  matches.flatMap((m) =>
    m.explanation.terms.flatMap((t) =>
      t.positions
        .filter((p) => p.field === field)
        .map((p) => ({ start: p.start, end: p.end, label: `${t.term} (${m.topicName})` })),
    ),
  );

/**
 * The body's paragraphs with their matches marked. Body offsets count in the paragraphs joined
 * by {@link PARAGRAPH_SEPARATOR}, so each paragraph takes the ranges that fall inside it.
 */
export function highlightedParagraphs(
  paragraphs: readonly string[],
  ranges: readonly MarkRange[],
): HTMLElement[] {
  let offset = 0;
  return paragraphs.map((p) => {
    const start = offset;
    offset += p.length + PARAGRAPH_SEPARATOR.length;
    const mine = ranges
      .filter((r) => r.end > start && r.start < start + p.length)
      .map((r) => ({ ...r, start: r.start - start, end: r.end - start }));
    return h('p', {}, highlight(p, mine));
  });
}
