import type { SubscriberEntry, TopicSummary } from '../../services.ts';
import { getJson } from './api.ts';
import { articleHref, h, heading, RECIPIENT_STATES, table, time, type ViewContext } from './dom.ts';

/**
 * Subscribers: who gets what — topics, channel, languages, minimum score, digest or not, fatigue
 * controls — and where each one's copies of the latest alerts stand (delivered, queued,
 * failed, held, in the digest, or not sent as the story was alerted already).
 */

const STATE_ORDER = ['delivered', 'queued', 'held', 'failed', 'digest', 'story-alerted'] as const;

export async function subscribersView({ view, alive }: ViewContext): Promise<void> {
  const [{ subscribers }, { topics }] = await Promise.all([
    getJson<{ subscribers: SubscriberEntry[] }>('/api/subscribers'),
    getJson<{ topics: TopicSummary[] }>('/api/topics'),
  ]);
  if (!alive()) return;
  const names = new Map(topics.map((t) => [t.id, t.name]));
  const topicLinks = (ids: readonly string[]) =>
    ids.includes('*')
      ? ['every topic']
      : ids.flatMap((id, i) => [
          i > 0 ? ', ' : '',
          names.has(id) ? h('a', { href: `#/topics/${encodeURIComponent(id)}` }, names.get(id) ?? id) : id,
        ]);
  view.replaceChildren(
    heading('Subscribers'),
    table(
      'subscribers-table',
      'Who gets what',
      ['Subscriber', 'Channel', 'Topics', 'Languages', 'Gets', 'Copies of alerts sent'],
      subscribers.map((s) =>
        h(
          'tr',
          { 'data-subscriber': s.id },
          h('td', {}, h('strong', {}, s.id)),
          h('td', { class: 'channel' }, `${s.channel}: `, h('code', {}, s.target)),
          h('td', { class: 'topics' }, ...topicLinks(s.topics)),
          h('td', { class: 'languages' }, s.languages ? s.languages.join(', ') : 'every language'),
          h(
            'td',
            { class: 'gets' },
            [
              s.mode === 'digest' ? 'a daily digest' : 'each alert',
              s.minScore > 0 ? `score ≥ ${s.minScore}` : '',
              s.updates ? 'and later versions of a story' : 'one alert per story',
              ...s.controls,
            ]
              .filter(Boolean)
              .join('; '),
          ),
          h(
            'td',
            { class: 'counts' },
            STATE_ORDER.filter((k) => s.counts[k] > 0)
              .map((k) => `${s.counts[k]} ${RECIPIENT_STATES[k]}`)
              .join(', ') || 'none yet',
          ),
        ),
      ),
      'No subscribers: add them to seeds/subscribers.yaml or .newswatch/subscribers.yaml.',
    ),
    ...subscribers.map((s) =>
      h(
        'section',
        { id: `subscriber-${s.id}`, class: 'subscriber', 'data-subscriber': s.id },
        h('h2', {}, `${s.id}: its latest alerts`),
        table(
          `deliveries-${s.id}`,
          `The latest ${s.recent.length} alerts for ${s.id}, newest first`,
          ['Sent', 'Topic', 'Article', 'Its copy'],
          s.recent.map((r) =>
            h(
              'tr',
              { 'data-alert-id': r.alertId, 'data-state': r.state },
              h('td', {}, time(r.sentAt)),
              h('td', {}, r.topicName),
              h('td', {}, h('a', { href: articleHref(r.articleId) }, r.articleTitle || r.articleId)),
              h(
                'td',
                { class: `recipient state-${r.state}` },
                `${RECIPIENT_STATES[r.state]}${r.detail && r.state !== 'delivered' ? ` (${r.detail})` : ''}`,
              ),
            ),
          ),
          'No alert for this subscriber yet.',
        ),
      ),
    ),
  );
}
