/**
 * XML files that no format before this one has claimed: refused with what they look like,
 * instead of being read as plain text with markup for a title. Web pages, XHTML ones included,
 * are read by the HTML format before this one is tried. XML is refused for the most useful
 * reason: entities or nesting the safe-XML checks refuse, else its root.
 */
import type { ArticleFormatReader } from './format.ts';
import { xmlRefusal, xmlRoot } from './xml.ts';

const XML = /^<\?xml[\s?]/i;

/** What the XML readers take, for the message about a file they did not. */
const READ = 'RSS, RSS 1.0 and Atom feeds, NewsML-G2 newsItem and newsMessage, and NITF';

export const unclaimedMarkup: ArticleFormatReader = {
  name: 'markup',
  input: 'text',
  recognises: ({ key, text }) => XML.test(text) || /\.(xml|rss|atom)$/i.test(key),
  read: ({ text }) => {
    const refusal = xmlRefusal(text);
    if (refusal) return { kind: 'error', error: refusal };
    const root = xmlRoot(text);
    return {
      kind: 'error',
      error: {
        kind: 'UnsupportedFormat',
        message: root
          ? `the file is XML with the root element <${root.name}>, which newswatch does not read; it reads ${READ}, each recognised by its root element within the first 1 KiB`
          : `the file is XML of a kind newswatch does not read; it reads ${READ}`,
      },
    };
  },
};
