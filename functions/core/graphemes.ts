/**
 * Cutting text without breaking what a reader sees as one character: a cut never falls
 * between the halves of a surrogate pair, after a base letter but before its combining
 * marks, or inside an emoji joined with ZWJ (Unicode grapheme clusters, UAX #29).
 */

const graphemeSegmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** The grapheme clusters of `text`, in order. */
export const graphemesOf = (text: string): string[] =>
  Array.from(graphemeSegmenter.segment(text), (s) => s.segment);

/**
 * `text` at most `max` UTF-16 code units long (so also at most `max` code points and `max`
 * graphemes), cut at a grapheme boundary and ended with `ellipsis` when it had to be cut.
 * Only the first `max + 1` code units are segmented: a boundary before the end of that
 * prefix is a boundary of the whole text, since the rules look at the characters on both
 * sides of it only.
 */
export const cutGraphemes = (text: string, max: number, ellipsis = '…'): string => {
  if (text.length <= max) return text;
  const room = max - ellipsis.length;
  if (room <= 0) return ellipsis.slice(0, Math.max(0, max));
  const prefix = text.slice(0, max + 1);
  let end = 0;
  for (const { index, segment } of graphemeSegmenter.segment(prefix)) {
    const next = index + segment.length;
    // The last segment of the prefix may be a cluster cut short: never keep it.
    if (next > room || next >= prefix.length) break;
    end = next;
  }
  return `${text.slice(0, end).trimEnd()}${ellipsis}`;
};

/**
 * Whether a cut at `at` falls between two graphemes of `text`. Only a window around `at`
 * is segmented: the boundary rules look a few characters back and one ahead.
 */
export const isGraphemeBoundary = (text: string, at: number): boolean => {
  if (at <= 0 || at >= text.length) return true;
  // No ASCII character extends, joins or prepends to its neighbour: between two of them
  // there is always a boundary, except inside CR LF (GB3). Most cuts fall there.
  const before = text.charCodeAt(at - 1);
  const after = text.charCodeAt(at);
  if (before < 0x80 && after < 0x80) return before !== 13 || after !== 10;
  const start = Math.max(0, at - 64);
  for (const { index } of graphemeSegmenter.segment(text.slice(start, at + 1))) {
    if (start + index >= at) return start + index === at;
  }
  return false;
};
