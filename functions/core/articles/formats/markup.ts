/**
 * HTML and XML files that no format before this one has claimed: refused with what they
 * look like, instead of being read as plain text with markup for a title.
 */
import type { ArticleFormatReader } from './format.ts';

const HTML = /^(?:<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i;
const XML = /^<\?xml[\s?]/i;

export const unclaimedMarkup: ArticleFormatReader = {
  name: 'markup',
  input: 'text',
  recognises: ({ key, text }) => HTML.test(text) || XML.test(text) || /\.(html?|xml|rss|atom)$/i.test(key),
  read: ({ text }) => ({
    kind: 'error',
    error: {
      kind: 'UnsupportedFormat',
      message: HTML.test(text)
        ? 'the file is an HTML page with no article text newswatch can read'
        : 'the file is XML of a kind newswatch does not read (feeds, NewsML-G2 and NITF are read when recognised)',
    },
  }),
};
