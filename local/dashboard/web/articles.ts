import type { ArticleFacets, ArticleSummary, TopicSummary } from '../../services.ts';
import { getJson, isAbort } from './api.ts';
import {
  articleHref,
  debounce,
  errorBox,
  field,
  fragment,
  h,
  heading,
  plural,
  score,
  storyHref,
  type ViewContext,
} from './dom.ts';
import { renderSnippet } from './highlight.ts';

/**
 * The article list: search, filters (topic, outlet, language, country, dates, minimum score),
 * order (date or score) and pages, all done by the server: the page only ever holds one page
 * of articles, however many are stored. The filters live in the address, so a reload or a
 * link shows the same list; the export links download the whole of the current view.
 */

/** Articles per page. */
export const PAGE_SIZE = 50;
const TYPING_DELAY_MS = 250;

/** The filter fields, as named in the address and the API's query string. */
const FILTERS = ['q', 'topic', 'outlet', 'language', 'country', 'from', 'to', 'minScore', 'sort'] as const;

const REGIONS = new Intl.DisplayNames(['en'], { type: 'region' });
const LANGUAGES = new Intl.DisplayNames(['en'], { type: 'language' });

/** "Azerbaijan (AZ)", or the code when Intl does not know it. */
export const countryName = (code: string): string => {
  try {
    const name = REGIONS.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
};

const languageName = (code: string): string => {
  if (code === 'und') return 'undetermined (und)';
  try {
    const name = LANGUAGES.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
};

const optionsOf = (
  id: string,
  all: string,
  values: ReadonlyArray<{ value: string; label: string }>,
  selected: string,
) =>
  h(
    'select',
    { id },
    h('option', { value: '' }, all),
    ...values.map((v) => h('option', { value: v.value, selected: v.value === selected }, v.label)),
  );

export async function articlesView({ view, params, alive, onLeave }: ViewContext): Promise<void> {
  const [{ topics }, facets] = await Promise.all([
    getJson<{ topics: TopicSummary[] }>('/api/topics'),
    getJson<ArticleFacets>('/api/articles/facets'),
  ]);
  if (!alive()) return;
  const names = new Map(topics.map((t) => [t.id, t.name]));
  const param = (k: string) => params.get(k) ?? '';
  const q = h('input', { id: 'search-input', type: 'search', value: param('q'), autocomplete: 'off' });
  const topic = optionsOf(
    'topic-filter',
    'All topics',
    topics.map((t) => ({ value: t.id, label: t.name })),
    param('topic'),
  );
  const outlet = optionsOf(
    'outlet-filter',
    'All outlets',
    facets.outlets.map((o) => ({ value: o.value, label: `${o.value} (${o.articles})` })),
    param('outlet'),
  );
  const language = optionsOf(
    'language-filter',
    'All languages',
    facets.languages.map((l) => ({ value: l.value, label: `${languageName(l.value)} (${l.articles})` })),
    param('language'),
  );
  const country = optionsOf(
    'country-filter',
    'All countries',
    facets.countries.map((c) => ({ value: c.value, label: `${countryName(c.value)} (${c.articles})` })),
    param('country'),
  );
  const from = h('input', { id: 'from-date', type: 'date', value: param('from') });
  const to = h('input', { id: 'to-date', type: 'date', value: param('to') });
  const minScore = h('input', {
    id: 'min-score-filter',
    type: 'number',
    min: 0,
    max: 1,
    step: 0.05,
    value: param('minScore'),
    placeholder: 'any',
  });
  const sort = h(
    'select',
    { id: 'sort-order' },
    h('option', { value: 'date' }, 'Newest first'),
    h('option', { value: 'score', selected: param('sort') === 'score' }, 'Best score first'),
  );
  const controls = { q, topic, outlet, language, country, from, to, minScore, sort };
  const count = h('p', { id: 'article-count', role: 'status' });
  const list = h('ol', { id: 'article-list', class: 'articles' });
  const previous = h('button', { type: 'button', id: 'page-previous' }, '← Newer');
  const next = h('button', { type: 'button', id: 'page-next' }, 'Older →');
  const pageLabel = h('span', { id: 'page-label' });
  const csv = h('a', { id: 'export-csv', class: 'button', download: '' }, 'Export CSV');
  const json = h('a', { id: 'export-json', class: 'button', download: '' }, 'Export JSON');
  const form = h(
    'form',
    { id: 'article-filters', class: 'filters', role: 'search' },
    field('Search', q),
    field('Topic', topic),
    field('Outlet', outlet),
    field('Language', language),
    field('Country', country),
    field('From', from),
    field('To', to),
    field('Minimum score', minScore),
    field('Order', sort),
  );
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' }, previous, pageLabel, next);
  view.replaceChildren(
    heading('Articles'),
    form,
    h('div', { class: 'list-bar' }, count, h('div', { class: 'exports' }, csv, ' ', json)),
    list,
    pager,
  );

  let offset = Math.max(0, Number(param('offset')) || 0);
  let pending: AbortController | undefined;
  const filterOf = (): URLSearchParams => {
    const filter = new URLSearchParams();
    for (const k of FILTERS) {
      const value = controls[k].value.trim();
      if (value && !(k === 'sort' && value === 'date')) filter.set(k, value);
    }
    return filter;
  };
  const search = async () => {
    pending?.abort();
    const controller = (pending = new AbortController());
    const filter = filterOf();
    const exported = new URLSearchParams(filter);
    exported.set('format', 'csv');
    csv.href = `/api/articles/export?${exported}`;
    exported.set('format', 'json');
    json.href = `/api/articles/export?${exported}`;
    const address = new URLSearchParams(filter);
    if (offset > 0) address.set('offset', String(offset));
    // Keep the filters in the address so a reload or a link shows the same list, without a re-render.
    history.replaceState(null, '', `#/articles${address.size > 0 ? `?${address}` : ''}`);
    filter.set('offset', String(offset));
    filter.set('limit', String(PAGE_SIZE));
    try {
      const res = await getJson<{ total: number; offset: number; articles: ArticleSummary[] }>(
        `/api/articles?${filter}`,
        controller.signal,
      );
      const last = res.offset + res.articles.length;
      count.textContent =
        res.total > res.articles.length
          ? `${res.total} articles (${res.articles.length === 0 ? 'none' : `${res.offset + 1}–${last}`} shown)`
          : plural(res.total, 'article');
      pageLabel.textContent = `Page ${Math.floor(res.offset / PAGE_SIZE) + 1} of ${Math.max(1, Math.ceil(res.total / PAGE_SIZE))}`;
      previous.disabled = res.offset === 0;
      next.disabled = last >= res.total;
      pager.hidden = res.total <= PAGE_SIZE && res.offset === 0;
      list.replaceChildren(...res.articles.map((a) => articleItem(a, names)));
      // What the list shows, for a reader (or a test) waiting for the answer to a change.
      list.dataset.shown = filter.toString();
    } catch (e) {
      if (!isAbort(e)) list.replaceChildren(h('li', {}, errorBox(e)));
    }
  };
  const fresh = () => {
    offset = 0;
    void search();
  };
  const later = debounce(fresh, TYPING_DELAY_MS);
  q.addEventListener('input', later);
  minScore.addEventListener('input', later);
  for (const el of [topic, outlet, language, country, from, to, sort]) el.addEventListener('change', fresh);
  previous.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    void search();
  });
  next.addEventListener('click', () => {
    offset += PAGE_SIZE;
    void search();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    later.cancel();
    fresh();
  });
  onLeave(() => {
    later.cancel();
    pending?.abort();
  });
  await search();
}

/** One article of the list: title, outlet, date, language, snippet and its topics with scores. */
function articleItem(a: ArticleSummary, topicNames: ReadonlyMap<string, string>): HTMLLIElement {
  const meta = [
    h('span', { class: 'outlet' }, a.outlet),
    ' · ',
    h('time', { datetime: a.date }, a.date),
    ' · ',
    h('span', { class: 'language', title: languageName(a.language ?? 'und') }, a.language ?? 'und'),
    a.author ? ` · ${a.author}` : null,
    ` · ${a.wordCount} words`,
    a.countries.length > 0 ? ` · ${a.countries.join(', ')}` : null,
  ];
  return h(
    'li',
    { 'data-article-id': a.id },
    h('a', { href: articleHref(a.id), class: 'article-link' }, a.title),
    h(
      'div',
      { class: 'meta' },
      ...meta,
      a.storyId && (a.storyArticles ?? 0) > 1
        ? h(
            'a',
            { href: storyHref(a.storyId), class: 'badge story-badge' },
            `story · ${plural(a.storyArticles ?? 0, 'article')}`,
          )
        : null,
    ),
    h('p', { class: 'snippet' }, a.snippet ? renderSnippet(a.snippet) : fragment(a.lead)),
    a.topics.length > 0
      ? h(
          'ul',
          { class: 'badges', 'aria-label': 'Topics' },
          ...a.topics.map((t) =>
            h(
              'li',
              { class: 'badge topic-chip', 'data-topic-id': t.id, title: `score ${score(t.score)}` },
              h('span', { class: 'chip-name' }, topicNames.get(t.id) ?? t.id),
              ' ',
              h('span', { class: 'chip-score' }, score(t.score)),
            ),
          ),
        )
      : null,
  );
}
