/**
 * XML files that no format before this one has claimed: refused with what they look like,
 * instead of being read as plain text with markup for a title. Web pages, XHTML ones
 * included, are read by the HTML format before this one is tried.
 */
import type { ArticleFormatReader } from './format.ts';

const XML = /^<\?xml[\s?]/i;

export const unclaimedMarkup: ArticleFormatReader = {
  name: 'markup',
  input: 'text',
  recognises: ({ key, text }) => XML.test(text) || /\.(xml|rss|atom)$/i.test(key),
  read: () => ({
    kind: 'error',
    error: {
      kind: 'UnsupportedFormat',
      message:
        'the file is XML of a kind newswatch does not read (feeds, NewsML-G2 and NITF are read when recognised)',
    },
  }),
};
