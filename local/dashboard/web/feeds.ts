import type { FeedStatus } from '../../feeds.ts';

/**
 * The feeds panel of the overview: each feed of the feeds file with how its last poll went,
 * failing feeds first and marked. Feed URLs and errors come from outside, so they only ever
 * reach the page as text nodes.
 */

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children);
  return node;
};

const when = (iso: string | undefined): Node | string =>
  iso ? el('time', { datetime: iso }, `${iso.slice(0, 16).replace('T', ' ')} UTC`) : '—';

const STATUS: Record<FeedStatus['lastStatus'] & string, string> = {
  new: 'new document',
  'not-modified': 'not modified',
  unchanged: 'unchanged',
  failed: 'failed',
  never: 'not polled yet',
};

/** The section, or null when there are no feeds. */
export const feedsSection = (feeds: readonly FeedStatus[]): HTMLElement | null => {
  if (feeds.length === 0) return null;
  const failing = feeds.filter((f) => f.consecutiveFailures > 0);
  const ordered = [...failing, ...feeds.filter((f) => f.consecutiveFailures === 0)];
  const rows = ordered.map((f) => {
    const problem =
      f.consecutiveFailures > 0
        ? `${f.consecutiveFailures} failed ${f.consecutiveFailures === 1 ? 'poll' : 'polls'} in a row: ${f.lastError ?? ''}`
        : f.movedTo
          ? `moved permanently to ${f.movedTo}: update the feeds file`
          : '';
    return el(
      'tr',
      { 'data-feed': f.id, ...(f.consecutiveFailures > 0 ? { class: 'failing' } : {}) },
      el('td', {}, el('strong', {}, f.name ?? f.id), el('br'), el('small', {}, f.url)),
      el('td', {}, f.every),
      el('td', {}, STATUS[f.lastStatus ?? 'never'] ?? String(f.lastStatus), el('br'), when(f.lastPolledAt)),
      el('td', {}, f.nextPollAt === 'now' ? 'now' : when(f.nextPollAt)),
      el('td', {}, String(f.filesWritten)),
      el('td', problem ? { class: f.consecutiveFailures > 0 ? 'error' : 'warning' } : {}, problem),
    );
  });
  return el(
    'section',
    { 'aria-labelledby': 'feeds-heading' },
    el('h2', { id: 'feeds-heading' }, 'Feeds'),
    el(
      'p',
      { id: 'feeds-summary', ...(failing.length > 0 ? { class: 'error' } : {}) },
      `${feeds.length} ${feeds.length === 1 ? 'feed' : 'feeds'}, ${failing.length} failing. New documents land in the inbox under feeds/.`,
    ),
    el(
      'table',
      { id: 'feed-status' },
      el('caption', {}, 'Feeds, failing first'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Feed', 'Every', 'Last poll', 'Next poll', 'Documents', 'Problem'].map((t) =>
            el('th', { scope: 'col' }, t),
          ),
        ),
      ),
      el('tbody', {}, ...rows),
    ),
  );
};
