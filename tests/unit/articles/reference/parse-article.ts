/**
 * `articleFromDraft` as it was written before the one-pass paragraph reader: split, strip,
 * then canonical text, word count and stored size each a pass of its own over the paragraphs.
 * Kept to check the new one against.
 */
import type { Article, ArticleError, Result } from '../../../../functions/core/articles/article.ts';
import { articleError, ok } from '../../../../functions/core/articles/article.ts';
import { deriveTitle, foldSpace, stripBoilerplate } from '../../../../functions/core/articles/body.ts';
import { articleIdFor, sha256Hex } from '../../../../functions/core/articles/fingerprint.ts';
import type { ArticleDraft } from '../../../../functions/core/articles/formats/format.ts';
import { decideLanguage } from '../../../../functions/core/articles/language.ts';
import {
  articleTextBytes,
  type DraftOrigin,
  MAX_ARTICLE_TEXT_BYTES,
  MAX_AUTHOR,
  MAX_SOURCE,
  type ParseOptions,
} from '../../../../functions/core/articles/parse-article.ts';
import { cutGraphemes } from '../../../../functions/core/graphemes.ts';
import { countWords, splitParagraphs } from './body.ts';

const MAX_FILE_TITLE = 300;
const MAX_CATEGORIES = 30;

/** The shared rules applied to one draft, pass by pass. */
export const articleFromDraft = (
  draft: ArticleDraft,
  origin: DraftOrigin,
  options: Pick<ParseOptions, 'maxTextBytes' | 'identifyLanguage'> = {},
): Result<Article, ArticleError> => {
  const split = Array.isArray(draft.body) ? draft.body.flatMap(splitParagraphs) : splitParagraphs(draft.body);
  const paragraphs = stripBoilerplate(split);
  if (paragraphs.length === 0) return articleError('NoBody', 'the file has no article text after its header');

  const receivedDay = origin.receivedAt.slice(0, 10);
  const fileTitle = draft.title === undefined ? '' : foldSpace(draft.title);
  const title = fileTitle === '' ? undefined : cutGraphemes(fileTitle, MAX_FILE_TITLE);
  const article: Article = {
    id: articleIdFor(paragraphs),
    sourceKey: origin.key,
    format: origin.format,
    title: title ?? deriveTitle(paragraphs),
    titleSource: title === undefined ? 'lead-sentence' : 'file',
    date: draft.date ?? receivedDay,
    dateSource: draft.date === undefined ? 'received' : 'file',
    paragraphs,
    wordCount: countWords(paragraphs),
    contentHash: origin.contentHash ?? sha256Hex(origin.bytes),
    byteLength: origin.bytes.length,
  };
  if (draft.author !== undefined && foldSpace(draft.author) !== '')
    article.author = cutGraphemes(foldSpace(draft.author), MAX_AUTHOR);
  if (draft.url !== undefined) article.url = draft.url;
  if (draft.source !== undefined && foldSpace(draft.source) !== '')
    article.source = cutGraphemes(foldSpace(draft.source), MAX_SOURCE);
  const language = decideLanguage(
    { declared: draft.language, title: article.title, paragraphs },
    options.identifyLanguage,
  );
  if (language !== undefined) {
    article.language = language.language;
    article.languageSource = language.source;
    if (language.confidence !== undefined) article.languageConfidence = language.confidence;
  }
  if (draft.categories?.length)
    article.categories = draft.categories
      .slice(0, MAX_CATEGORIES)
      .map((c) => cutGraphemes(foldSpace(c), 100));
  if (draft.summaryOnly) article.summaryOnly = true;
  if (origin.container) article.container = origin.container;
  if (origin.feed) article.feed = origin.feed;
  const textBytes = articleTextBytes(article);
  const maxTextBytes = options.maxTextBytes ?? MAX_ARTICLE_TEXT_BYTES;
  if (textBytes > maxTextBytes) {
    return articleError(
      'TooLarge',
      `the article's text is ${textBytes} bytes once decoded to UTF-8, over the ${maxTextBytes}-byte limit for one stored article; split the file`,
    );
  }
  return ok(article);
};
