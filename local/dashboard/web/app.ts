import type { AlertEntry, ArticleDetail, listStories, StoryDetail, TopicSummary } from '../../services.ts';
import type { RecipientState } from '../../../functions/core/alerts/recipients.ts';
import type { RelevanceLabel } from '../../../functions/core/topics/labels.ts';
import type { FeedStatus } from '../../feeds.ts';
import { languageLabel } from '../../../functions/core/articles/language.ts';
import { ApiError, getJson, sendJson } from './api.ts';
import {
  articleHref,
  RECIPIENT_STATES,
  type Child,
  decode,
  errorBox,
  field,
  fill,
  fragment,
  h,
  heading,
  score,
  squash,
  storyHref,
  table,
  time,
  type ViewContext,
} from './dom.ts';
import { articlesView } from './articles.ts';
import { chartSection } from './chart.ts';
import { feedsSection } from './feeds.ts';
import { inboxView } from './inbox.ts';
import { subscribersView } from './subscribers.ts';
import { topicsView } from './topics.ts';
import { highlight, highlightedParagraphs, rangesIn, renderSnippet } from './highlight.ts';

/**
 * The newswatch dashboard: plain DOM, hash routing (#/, #/articles, #/article/<id>, #/stories,
 * #/story/<id>, #/topics, #/topics/<id>, #/alerts) over the JSON API of local/dashboard/server.ts.
 *
 * Article text is untrusted (anyone can drop a file into the inbox), so text only ever reaches
 * the page as text nodes: no innerHTML anywhere.
 */

// API shapes: the server answers with what these functions of local/services.ts return (type
// imports only: nothing of them reaches the browser bundle).
type ArticleMatch = ArticleDetail['matches'][number];
type StorySummary = ReturnType<typeof listStories>[number];
type StoryArticle = StoryDetail['articles'][number];
type Label = RelevanceLabel;

interface Status {
  articles: number;
  matches: number;
  alerts: number;
  /** The copies of the alerts sent, by where they stand. */
  deliveries: Record<RecipientState, number>;
  errors: number;
  topics: number;
  topicSetVersion?: string;
  subscribers: number;
  paths: Record<string, string>;
}

interface IngestError {
  key: string;
  kind: string;
  message: string;
  occurredAt: string;
}

/** The server's rule for topic ids (TOPIC_ID in local/dashboard/server.ts). */

// ---------------------------------------------------------------------------------------------
// Views

async function overviewView({ view, alive, onLeave }: ViewContext): Promise<void> {
  const [status, topics, errors, feeds] = await Promise.all([
    getJson<Status>('/api/status'),
    getJson<{ topics: TopicSummary[] }>('/api/topics'),
    getJson<{ errors: IngestError[] }>('/api/errors'),
    getJson<{ feeds: FeedStatus[] }>('/api/feeds'),
  ]);
  if (!alive()) return;
  const counts: Array<[string, number, string]> = [
    ['Articles', status.articles, 'articles'],
    ['Matches', status.matches, 'matches'],
    ['Alerts', status.alerts, 'alerts'],
    ['Messages delivered', status.deliveries.delivered, 'delivered'],
    ['Waiting or held', status.deliveries.queued + status.deliveries.held, 'waiting'],
    ['Failed deliveries', status.deliveries.failed, 'failed'],
    ['For digests', status.deliveries.digest, 'digest'],
    ['Rejected files', status.errors, 'errors'],
    ['Topics', status.topics, 'topics'],
    ['Subscribers', status.subscribers, 'subscribers'],
  ];
  const names = new Map(topics.topics.map((t) => [t.id, t.name]));
  const chart = chartSection(names);
  onLeave(() => chart.destroy());
  fill(
    view,
    heading('Overview'),
    h(
      'dl',
      { id: 'status', class: 'counts' },
      ...counts.map(([label, n, key]) =>
        h('div', { 'data-testid': `status-${key}` }, h('dt', {}, label), h('dd', {}, n)),
      ),
    ),
    chart.section,
    errors.errors.length > 0
      ? table(
          'error-log',
          'Rejected files',
          ['When', 'File', 'Why'],
          errors.errors.map((e) =>
            h(
              'tr',
              {},
              h('td', {}, time(e.occurredAt)),
              h('td', {}, e.key),
              h('td', {}, `${e.kind}: ${e.message}`),
            ),
          ),
          '',
        )
      : null,
    feedsSection(feeds.feeds),
    h(
      'section',
      { 'aria-labelledby': 'paths-heading' },
      h('h2', { id: 'paths-heading' }, 'Folders'),
      h(
        'dl',
        { class: 'paths' },
        ...Object.entries(status.paths).map(([k, v]) =>
          h('div', {}, h('dt', {}, k), h('dd', {}, h('code', {}, v))),
        ),
      ),
    ),
  );
}

async function articleView({ view, args, alive }: ViewContext): Promise<void> {
  const id = args[0] ?? '';
  let detail: ArticleDetail;
  try {
    detail = await getJson<ArticleDetail>(`/api/articles/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      view.replaceChildren(
        heading('No such article'),
        h('p', {}, h('a', { href: '#/articles' }, 'Back to the articles')),
      );
      return;
    }
    throw e;
  }
  if (!alive()) return;
  const { article, matches, sources, story } = detail;
  const url = article.url && /^https?:\/\//i.test(article.url) ? article.url : undefined;
  const meta: Array<[string, Child]> = [
    ['Date', `${article.date}${article.dateSource === 'received' ? ' (date of arrival)' : ''}`],
    ['Author', article.author ? h('span', { id: 'article-author' }) : undefined],
    ['Source', article.source],
    ['Link', url ? h('a', { href: url, rel: 'noopener noreferrer', target: '_blank' }, url) : undefined],
    ['Words', article.wordCount],
    ['File', h('code', {}, article.container ? article.container.key : article.sourceKey)],
    ['Item', article.container ? h('code', { id: 'article-item' }, article.container.item) : undefined],
    ['Read as', h('span', { id: 'article-format' }, article.format)],
    ['Feed', article.feed ? h('code', { id: 'article-feed' }, article.feed) : undefined],
    [
      'Language',
      article.language ? h('span', { id: 'article-language' }, languageLabel(article) ?? '') : undefined,
    ],
    ['Text', article.summaryOnly ? 'only a summary was in the file' : undefined],
    ['Ingested', time(article.ingestedAt)],
    ['Id', h('code', {}, article.id)],
  ];
  const relevance = await relevanceSection(article.id, matches);
  if (!alive()) return;
  const title = h('h1', { id: 'article-title', tabindex: -1 });
  const body = h('div', { id: 'article-body', class: 'body' });
  // Which topic's words are marked: every topic's, one topic's, or none.
  const chooser = h(
    'fieldset',
    { id: 'highlight-chooser', class: 'chooser' },
    h('legend', {}, 'Highlight the words of'),
    ...[
      { value: '*', label: 'every topic' },
      ...matches.map((m) => ({ value: m.topicId, label: `${m.topicName} (${score(m.score)})` })),
      { value: '', label: 'none' },
    ].map((o, i) =>
      h(
        'label',
        {},
        h('input', {
          type: 'radio',
          name: 'highlight',
          value: o.value,
          checked: i === 0,
          'data-topic-id': o.value,
        }),
        ` ${o.label}`,
      ),
    ),
  );
  const mark = (topicId: string) => {
    const chosen = topicId === '*' ? matches : matches.filter((m) => m.topicId === topicId);
    title.replaceChildren(highlight(article.title, rangesIn(chosen, 'title')));
    body.replaceChildren(...highlightedParagraphs(article.paragraphs, rangesIn(chosen, 'body')));
    const author = view.querySelector('#article-author');
    if (article.author && author)
      author.replaceChildren(highlight(article.author, rangesIn(chosen, 'author')));
  };
  chooser.addEventListener('change', (e) => mark((e.target as HTMLInputElement).value));
  fill(
    view,
    h('p', {}, h('a', { href: '#/articles' }, '← Articles')),
    h(
      'article',
      { id: 'article', 'data-article-id': article.id },
      title,
      h(
        'dl',
        { class: 'meta-list' },
        ...meta
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
      ),
      story && story.articles.length > 1 ? storyLine(story, article.id) : null,
      matches.length > 0 ? chooser : null,
      body,
    ),
    story && story.articles.length > 1 ? versionsSection(story, article.id) : null,
    h(
      'section',
      { 'aria-labelledby': 'matches-heading' },
      h('h2', { id: 'matches-heading' }, `Matched topics (${matches.length})`),
      matches.length > 0
        ? h('ul', { id: 'article-matches', class: 'cards' }, ...matches.map(matchCard))
        : h('p', { class: 'empty' }, 'No topic matches this article.'),
    ),
    relevance,
    table(
      'article-sources',
      'Files this article arrived as',
      ['File', 'Status', 'Updated'],
      sources.map((s) =>
        h('tr', {}, h('td', {}, h('code', {}, s.key)), h('td', {}, s.status), h('td', {}, time(s.updatedAt))),
      ),
      'None recorded.',
    ),
  );
  mark('*');
}

/** The story's other versions: each with its outlet, date, title, length and first / latest. */
function versionsSection(story: StoryDetail, articleId: string): HTMLElement {
  const others = story.articles.filter((a) => a.id !== articleId);
  return h(
    'section',
    { 'aria-labelledby': 'versions-heading' },
    h('h2', { id: 'versions-heading' }, `Other versions of the story (${others.length})`),
    table(
      'article-versions',
      'The story\u2019s other articles, first one first',
      ['Outlet', 'Date', 'Title', 'Words', ''],
      others.map((a) =>
        h(
          'tr',
          { 'data-article-id': a.id },
          h('td', {}, a.outlet),
          h('td', {}, a.date),
          h('td', {}, h('a', { href: articleHref(a.id) }, a.title)),
          h('td', {}, a.wordCount),
          h(
            'td',
            {},
            a.id === story.firstArticleId ? h('span', { class: 'badge story-first' }, 'first') : null,
            a.id === story.latestArticleId ? h('span', { class: 'badge story-latest' }, 'latest') : null,
          ),
        ),
      ),
      'No other version.',
    ),
    h('p', {}, h('a', { href: storyHref(story.storyId), class: 'story-link' }, 'Compare them side by side')),
  );
}

/**
 * Labels for one article: for each match, whether the alert was right; for a topic that did
 * not match, that it should have (a miss). Labels go to the labels folder, as with
 * `newswatch topics label`, and count in the topic's figures at once.
 */
async function relevanceSection(articleId: string, matches: readonly ArticleMatch[]): Promise<HTMLElement> {
  const [{ labels }, { topics }] = await Promise.all([
    getJson<{ labels: Label[] }>(`/api/labels?article=${encodeURIComponent(articleId)}`),
    getJson<{ topics: TopicSummary[] }>('/api/topics'),
  ]);
  const current = new Map(labels.map((l) => [l.topic, l]));
  const status = h('p', { id: 'label-status', role: 'status' });
  const verdict = (l: Label | undefined) =>
    l
      ? `${l.label === 1 ? 'relevant' : 'not relevant'} (${l.reason}; ${l.by}, ${l.at.slice(0, 10)})`
      : 'not labelled';
  const send = async (topic: string, label: 0 | 1, reason: string, shown: HTMLElement) => {
    const res = await sendJson('POST', '/api/labels', { topic, article: articleId, label, reason });
    if (res.status !== 201) {
      status.textContent = `Not saved: ${(res.body as { error?: string }).error ?? res.status}`;
      return;
    }
    const stored = (res.body as { stored: Label }).stored;
    current.set(topic, stored);
    shown.textContent = verdict(stored);
    status.textContent = `Saved: ${topic} ${verdict(stored)}`;
  };
  const rows = matches.map((m) => {
    const reason = h('input', {
      class: 'label-reason',
      'aria-label': `Why, for ${m.topicName}`,
      maxlength: 500,
    });
    const shown = h('span', { class: 'label-current' }, verdict(current.get(m.topicId)));
    const yes = h('button', { type: 'button', class: 'label-yes' }, 'Relevant');
    const no = h('button', { type: 'button', class: 'label-no' }, 'Not relevant');
    yes.addEventListener('click', () => void send(m.topicId, 1, reason.value, shown));
    no.addEventListener('click', () => void send(m.topicId, 0, reason.value, shown));
    return h(
      'li',
      { 'data-topic-id': m.topicId },
      h('strong', {}, m.topicName),
      ' — ',
      shown,
      ' ',
      reason,
      yes,
      no,
    );
  });
  const matched = new Set(matches.map((m) => m.topicId));
  const missedTopic = h(
    'select',
    { id: 'missed-topic', 'aria-label': 'Topic that missed this article' },
    ...topics.filter((t) => !matched.has(t.id)).map((t) => h('option', { value: t.id }, t.name)),
  );
  const missedReason = h('input', {
    id: 'missed-reason',
    'aria-label': 'Why it is relevant',
    maxlength: 500,
  });
  const missedShown = h('span', { id: 'missed-current' });
  const missed = h('button', { type: 'button', id: 'mark-missed' }, 'Relevant: the topic missed it');
  missed.addEventListener('click', () => void send(missedTopic.value, 1, missedReason.value, missedShown));
  return h(
    'section',
    { 'aria-labelledby': 'relevance-heading', id: 'article-relevance' },
    h('h2', { id: 'relevance-heading' }, 'Was it right?'),
    rows.length ? h('ul', { id: 'match-labels' }, ...rows) : null,
    missedTopic.options.length
      ? h(
          'p',
          {},
          'A topic that should have matched: ',
          missedTopic,
          ' ',
          missedReason,
          ' ',
          missed,
          ' ',
          missedShown,
        )
      : null,
    status,
  );
}

/** "Also reported as: <outlet>, <outlet> · see the story side by side", for an article of a story. */
function storyLine(story: StoryDetail, articleId: string): HTMLParagraphElement {
  const others = story.articles.filter((a) => a.id !== articleId);
  return h(
    'p',
    { id: 'article-story', class: 'story-line' },
    'Also reported as: ',
    ...others.flatMap((a, i) => [
      i > 0 ? ', ' : null,
      h('a', { href: articleHref(a.id), title: `${a.title} (${a.date})` }, a.outlet),
    ]),
    ' · ',
    h('a', { href: storyHref(story.storyId), class: 'story-link' }, 'see the story side by side'),
  );
}

function matchCard(m: ArticleMatch): HTMLLIElement {
  const alert = m.alertState === 'sent' ? fragment('sent ', time(m.sentAt)) : m.alertState;
  return h(
    'li',
    { class: 'card', 'data-topic-id': m.topicId },
    h('h3', {}, h('a', { href: `#/topics/${encodeURIComponent(m.topicId)}` }, m.topicName)),
    h(
      'dl',
      { class: 'meta-list' },
      h('div', {}, h('dt', {}, 'Score'), h('dd', {}, score(m.score))),
      m.stage
        ? h(
            'div',
            { class: 'stage' },
            h('dt', {}, 'Trained stage'),
            h(
              'dd',
              {},
              `${score(m.stage.probability)} from ${score(m.stage.baseScore)}; weighed most: ${m.stage.top
                .map((t) => `${t.feature} ${t.effect > 0 ? '+' : ''}${t.effect}`)
                .join(', ')}`,
            ),
          )
        : null,
      h('div', {}, h('dt', {}, 'Alert'), h('dd', {}, alert)),
      h(
        'div',
        {},
        h('dt', {}, 'Terms'),
        h(
          'dd',
          {},
          m.explanation.terms.map((t) => `${t.term}${t.list ? ` (@${t.list})` : ''} ×${t.count}`).join(', '),
        ),
      ),
      h('div', {}, h('dt', {}, 'Countries'), h('dd', {}, m.explanation.countries.join(', ') || '—')),
    ),
    h('blockquote', { class: 'snippet' }, renderSnippet(m.explanation.snippet)),
  );
}

async function alertsView({ view, params, alive }: ViewContext): Promise<void> {
  const topicId = params.get('topic') ?? '';
  const [{ alerts }, { topics }] = await Promise.all([
    getJson<{ alerts: AlertEntry[] }>(`/api/alerts${topicId ? `?topic=${encodeURIComponent(topicId)}` : ''}`),
    getJson<{ topics: TopicSummary[] }>('/api/topics'),
  ]);
  if (!alive()) return;
  const filter = h(
    'select',
    { id: 'alert-topic' },
    h('option', { value: '' }, 'All topics'),
    ...topics.map((t) => h('option', { value: t.id, selected: t.id === topicId }, t.name)),
  );
  // A new address re-renders the view with the filter applied, and keeps it across reloads.
  filter.addEventListener('change', () => {
    location.hash = filter.value ? `#/alerts?topic=${encodeURIComponent(filter.value)}` : '#/alerts';
  });
  view.replaceChildren(
    heading('Alerts'),
    h('form', { class: 'filters', role: 'search' }, field('Topic', filter)),
    table(
      'alert-log',
      'Alerts sent, newest first',
      ['Sent', 'Topic', 'Score', 'Recipients', 'Article'],
      alerts.map((a) =>
        h(
          'tr',
          { 'data-alert-id': a.alertId },
          h('td', {}, time(a.sentAt), a.backfill ? h('span', { class: 'badge' }, 'backfill') : null),
          h('td', {}, h('a', { href: `#/topics/${encodeURIComponent(a.topicId)}` }, a.topicName)),
          h('td', {}, score(a.score)),
          h(
            'td',
            { class: 'recipients' },
            ...(a.recipients.length === 0
              ? ['no subscriber wants it']
              : a.recipients.map((r) =>
                  h(
                    'span',
                    {
                      class: `recipient state-${r.state}`,
                      'data-subscriber': r.subscriberId,
                      'data-state': r.state,
                      ...(r.detail ? { title: r.detail } : {}),
                    },
                    `${r.subscriberId}: ${RECIPIENT_STATES[r.state]}${r.detail && r.state !== 'delivered' ? ` (${r.detail})` : ''}`,
                  ),
                )),
          ),
          h(
            'td',
            {},
            h('a', { href: articleHref(a.articleId) }, a.articleTitle || a.articleId),
            ` (${a.articleDate})`,
          ),
        ),
      ),
      'No alerts sent yet.',
    ),
  );
}

async function storiesView({ view, params, alive }: ViewContext): Promise<void> {
  const all = params.get('all') === 'true';
  const { stories } = await getJson<{ stories: StorySummary[] }>(`/api/stories${all ? '?all=true' : ''}`);
  if (!alive()) return;
  const everyStory = h('input', { id: 'all-stories', type: 'checkbox', checked: all });
  // A new address re-renders the view with the filter applied, and keeps it across reloads.
  everyStory.addEventListener('change', () => {
    location.hash = everyStory.checked ? '#/stories?all=true' : '#/stories';
  });
  view.replaceChildren(
    heading('Stories'),
    h(
      'p',
      { class: 'hint' },
      'Articles telling the same story (one text from several outlets, or later versions of it) are grouped.',
    ),
    h(
      'form',
      { class: 'filters' },
      h(
        'div',
        { class: 'field checkbox' },
        everyStory,
        h('label', { for: everyStory.id }, 'Show stories of a single article too'),
      ),
    ),
    table(
      'stories-table',
      all ? 'Every story, newest first' : 'Stories reported more than once, newest first',
      ['Story', 'Articles', 'Outlets', 'First seen', 'Latest'],
      stories.map((s) =>
        h(
          'tr',
          { 'data-story-id': s.storyId },
          h('td', {}, h('a', { href: storyHref(s.storyId) }, s.title)),
          h('td', {}, s.articles),
          h('td', { class: 'outlets' }, s.sources.join(', ')),
          h('td', {}, time(s.firstSeenAt)),
          h('td', {}, time(s.latestAt)),
        ),
      ),
      all ? 'No stories yet.' : 'No story has more than one article yet.',
    ),
  );
}

async function storyView({ view, args, alive }: ViewContext): Promise<void> {
  const id = args[0] ?? '';
  let story: StoryDetail;
  try {
    story = await getJson<StoryDetail>(`/api/stories/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      view.replaceChildren(
        heading('No such story'),
        h('p', {}, h('a', { href: '#/stories' }, 'Back to the stories')),
      );
      return;
    }
    throw e;
  }
  if (!alive()) return;
  // Paragraphs of later articles that the first one does not have (added or reworded).
  const first = story.articles.find((a) => a.id === story.firstArticleId) ?? story.articles[0];
  const original = new Set((first?.paragraphs ?? []).map(squash));
  const meta: Array<[string, Child]> = [
    ['Articles', story.articles.length],
    ['Outlets', story.sources.join(', ')],
    ['First seen', time(story.firstSeenAt)],
    ['Latest', time(story.latestAt)],
  ];
  fill(
    view,
    h('p', {}, h('a', { href: '#/stories' }, '← Stories')),
    h('h1', { id: 'story-title', tabindex: -1 }, story.title),
    h('dl', { class: 'meta-list' }, ...meta.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
    story.articles.length > 1
      ? h(
          'p',
          { class: 'hint' },
          'Paragraphs the first article does not have are marked with a bar on their left.',
        )
      : null,
    h(
      'div',
      {
        id: 'story-articles',
        class: 'story-grid',
        // Scrolls sideways when there are many articles: focusable so the keyboard can scroll it.
        role: 'region',
        'aria-label': 'The story’s articles, side by side',
        tabindex: 0,
      },
      ...story.articles.map((a) => storyColumn(a, story, a === first ? undefined : original)),
    ),
  );
}

/** One article of a story as a column: outlet, date, first / latest, its link and its text. */
function storyColumn(a: StoryArticle, story: StoryDetail, original?: ReadonlySet<string>): HTMLElement {
  const badges = [
    a.id === story.firstArticleId ? 'first' : undefined,
    a.id === story.latestArticleId ? 'latest' : undefined,
  ].filter((b): b is string => b !== undefined);
  return h(
    'article',
    { class: 'story-article', 'data-article-id': a.id },
    h(
      'header',
      {},
      h(
        'h2',
        {},
        h('span', { class: 'outlet' }, a.outlet),
        ...badges.map((b) => h('span', { class: `badge story-${b}` }, b)),
      ),
      h('div', { class: 'meta' }, [a.date, a.author, `${a.wordCount} words`].filter(Boolean).join(' · ')),
      h('a', { href: articleHref(a.id), class: 'article-link' }, a.title),
    ),
    h(
      'div',
      { class: 'body' },
      ...a.paragraphs.map((p) =>
        h('p', { class: original && !original.has(squash(p)) ? 'differs' : undefined }, p),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Routing

type View = (ctx: ViewContext) => Promise<void>;

const routes: Array<{ path: RegExp; nav: string; title: string; view: View }> = [
  { path: /^\/?$/, nav: 'overview', title: 'Overview', view: overviewView },
  { path: /^\/articles$/, nav: 'articles', title: 'Articles', view: articlesView },
  { path: /^\/article\/([^/]+)$/, nav: 'articles', title: 'Article', view: articleView },
  { path: /^\/stories$/, nav: 'stories', title: 'Stories', view: storiesView },
  { path: /^\/story\/([^/]+)$/, nav: 'stories', title: 'Story', view: storyView },
  { path: /^\/topics(?:\/([^/]+))?$/, nav: 'topics', title: 'Topics', view: topicsView },
  { path: /^\/alerts$/, nav: 'alerts', title: 'Alerts', view: alertsView },
  { path: /^\/subscribers$/, nav: 'subscribers', title: 'Subscribers', view: subscribersView },
  { path: /^\/inbox$/, nav: 'inbox', title: 'Inbox', view: inboxView },
];

let shown = 0;
const leaving: Array<() => void> = [];

/** Draws the view the address names; `focus` moves focus to its heading (after a navigation). */
async function route(focus: boolean): Promise<void> {
  const main = document.getElementById('app');
  if (!main) return;
  for (const fn of leaving.splice(0)) fn();
  const token = ++shown;
  const hash = location.hash.replace(/^#/, '');
  const cut = hash.includes('?') ? hash.indexOf('?') : hash.length;
  const [path, query] = [hash.slice(0, cut), hash.slice(cut + 1)];
  const found = routes.map((r) => ({ r, m: r.path.exec(path) })).find((x) => x.m);
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-route]')) {
    if (a.dataset.route === found?.r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const view = h('div', { class: 'view', 'aria-busy': 'true' }, h('p', {}, 'Loading…'));
  main.replaceChildren(view);
  document.title = `${found?.r.title ?? 'Not found'} · newswatch`;
  if (!found?.m) {
    view.replaceChildren(heading('Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the overview')));
    view.removeAttribute('aria-busy');
    return;
  }
  const ctx: ViewContext = {
    view,
    args: found.m.slice(1).map((s) => (s === undefined ? '' : decode(s))),
    params: new URLSearchParams(query),
    alive: () => token === shown,
    onLeave: (fn) => (token === shown ? leaving.push(fn) : fn()),
  };
  try {
    await found.r.view(ctx);
  } catch (e) {
    if (ctx.alive()) view.replaceChildren(heading(found.r.title), errorBox(e));
  }
  if (!ctx.alive()) return;
  view.removeAttribute('aria-busy');
  if (focus) view.querySelector<HTMLElement>('h1')?.focus();
}

window.addEventListener('hashchange', () => void route(true));
void route(false);
