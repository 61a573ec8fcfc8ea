import type {
  QueryPreview,
  QueryProblem,
  SaveImpact,
  TopicEvaluation,
  TopicSummary,
} from '../../services.ts';
import { ApiError, getJson, isAbort, sendJson } from './api.ts';
import {
  articleHref,
  type Child,
  debounce,
  errorBox,
  field,
  fragment,
  h,
  heading,
  plural,
  score,
  table,
  time,
  type ViewContext,
} from './dom.ts';
import { renderSnippet } from './highlight.ts';

/**
 * Topics: the table of topics (enable, disable, delete), the editor with its live preview of
 * what saving would do, the named lists beside them, and a saved topic's figures on its
 * labels. Every change is written to this machine's own topics (`.newswatch/topics/`).
 */

type TopicRelevance = TopicEvaluation['topics'][number];

/** The server's rule for topic ids (TOPIC_ID in local/dashboard/server.ts). */
const TOPIC_ID_PATTERN = '[a-z0-9][a-z0-9\\-]{0,63}';
const TYPING_DELAY_MS = 250;

export async function topicsView({ view, args, alive, onLeave }: ViewContext): Promise<void> {
  let topics: TopicSummary[] = [];

  let lists: Record<string, string[]> = {};
  const actionResult = h('div', { id: 'topic-action-result', role: 'status' });
  const tableHolder = h('div', {});
  const drawTable = () =>
    tableHolder.replaceChildren(
      table(
        'topics-table',
        'Topics',
        ['Name', 'Id', 'Enabled', 'Min score', 'Matches', 'Alerts', 'Last match', ''],
        topics.map((t) => {
          const toggle = h(
            'button',
            { type: 'button', class: 'topic-toggle' },
            t.enabled ? 'Disable' : 'Enable',
          );
          toggle.addEventListener('click', () => void change(t, 'toggle'));
          const remove = h('button', { type: 'button', class: 'topic-delete' }, 'Delete');
          remove.addEventListener('click', () => void change(t, 'delete'));
          return h(
            'tr',
            { 'data-topic-id': t.id, class: t.enabled ? undefined : 'disabled' },
            h('td', {}, h('a', { href: `#/topics/${encodeURIComponent(t.id)}` }, t.name)),
            h('td', {}, h('code', {}, t.id)),
            h('td', { class: 'enabled' }, t.enabled ? 'yes' : 'no'),
            h('td', {}, t.minScore),
            h('td', {}, t.matches),
            h('td', {}, t.alerts),
            h('td', {}, time(t.lastMatchedAt)),
            h('td', { class: 'actions' }, toggle, ' ', remove),
          );
        }),
        'No topics yet.',
      ),
    );
  const refresh = async () => {
    ({ topics, lists } = await getJson<{ topics: TopicSummary[]; lists: Record<string, string[]> }>(
      '/api/topics',
    ));
  };
  await refresh();
  if (!alive()) return;
  drawTable();

  /** Switches a topic on or off, or deletes it, in this machine's own topics. */
  const change = async (t: TopicSummary, what: 'toggle' | 'delete') => {
    if (what === 'delete' && !window.confirm(`Delete the topic "${t.name}" on this machine?`)) return;
    const path = `/api/topics/${encodeURIComponent(t.id)}`;
    const res =
      what === 'delete'
        ? await sendJson('DELETE', path, {})
        : await sendJson('POST', `${path}/enabled`, { enabled: !t.enabled });
    const body = (res.body ?? {}) as { file?: string; problems?: string[]; error?: string };
    if (res.status !== 200) {
      actionResult.replaceChildren(
        h('p', { class: 'error', role: 'alert' }, `Not changed: ${body.error ?? `HTTP ${res.status}`}`),
        ...(body.problems ?? []).map((p) => h('pre', { class: 'error' }, p)),
      );
      return;
    }
    const done = what === 'delete' ? 'Deleted' : t.enabled ? 'Disabled' : 'Enabled';
    await refresh();
    if (!alive()) return;
    drawTable();
    drawOptions(select.value === t.id && what === 'delete' ? '' : select.value);
    drawLists(listSelect.value);
    // Said once the table shows the change.
    actionResult.replaceChildren(
      h('p', { class: 'ok' }, `${done} ${t.name}: written to `, h('code', {}, body.file ?? '?')),
    );
  };

  // The editor.
  const select = h('select', { id: 'topic-select' });
  const drawOptions = (selected: string) =>
    select.replaceChildren(
      h('option', { value: '' }, 'New topic'),
      ...topics.map((t) => h('option', { value: t.id, selected: t.id === selected }, t.name)),
    );
  const id = h('input', {
    id: 'topic-id',
    required: true,
    pattern: TOPIC_ID_PATTERN,
    autocomplete: 'off',
    'aria-describedby': 'topic-id-hint',
  });
  const name = h('input', { id: 'topic-name', required: true, maxlength: 200, autocomplete: 'off' });
  const description = h('input', { id: 'topic-description', maxlength: 2000, autocomplete: 'off' });
  const query = h('textarea', {
    id: 'query-input',
    rows: 6,
    required: true,
    spellcheck: 'false',
    'aria-describedby': 'query-problems',
  });
  const minScore = h('input', {
    id: 'min-score',
    type: 'number',
    min: 0,
    max: 1,
    step: 0.05,
    required: true,
  });
  const enabled = h('input', { id: 'topic-enabled', type: 'checkbox' });
  const result = h('div', { id: 'save-result', role: 'status' });
  const form = h(
    'form',
    { id: 'topic-editor', class: 'editor' },
    field('Topic', select),
    field('Id', id, 'Lower-case letters, digits and dashes. The id of a saved topic cannot change.'),
    field('Name', name),
    field('Description (optional)', description),
    field('Query', query),
    h(
      'div',
      { class: 'row' },
      field('Minimum score (0–1)', minScore),
      h('div', { class: 'field checkbox' }, enabled, h('label', { for: enabled.id }, 'Enabled')),
    ),
    h('button', { id: 'save-topic', type: 'submit' }, 'Save'),
    result,
  );
  const previewCount = h('p', { id: 'preview-count', role: 'status' });
  const impact = h('div', { id: 'save-impact' });

  // Named lists, used in queries as @name: edited here, saved into this machine's own topics.
  const listSelect = h('select', { id: 'list-select' });
  const listName = h('input', {
    id: 'list-name',
    required: true,
    pattern: '[A-Za-z][A-Za-z0-9_\\-]{0,63}',
    autocomplete: 'off',
  });
  const listItems = h('textarea', { id: 'list-items', rows: 8, spellcheck: 'false' });
  const listResult = h('div', { id: 'list-result', role: 'status' });
  const listForm = h(
    'form',
    { id: 'list-editor', class: 'editor' },
    field('List', listSelect),
    field('Name', listName, 'Used in queries as @name.'),
    field(
      'Items, one per line',
      listItems,
      'A word, a "phrase", a prefix* or a language and its text (es: donación).',
    ),
    h('button', { id: 'save-list', type: 'submit' }, 'Save list'),
    listResult,
  );
  const drawLists = (selected: string) => {
    listSelect.replaceChildren(
      h('option', { value: '' }, 'New list'),
      ...Object.entries(lists)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([n, items]) => h('option', { value: n, selected: n === selected }, `@${n} (${items.length})`)),
    );
  };
  const loadList = (n: string) => {
    listName.value = n;
    listName.readOnly = n !== '';
    listItems.value = (lists[n] ?? []).join('\n');
  };
  listSelect.addEventListener('change', () => loadList(listSelect.value));
  drawLists('');
  loadList('');
  listForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void saveList();
  });
  const saveList = async () => {
    const n = listName.value.trim();
    const items = listItems.value
      .split('\n')
      .map((i) => i.trim())
      .filter(Boolean);
    const res = await sendJson('PUT', `/api/lists/${encodeURIComponent(n)}`, { items });
    const body = (res.body ?? {}) as { file?: string; problems?: string[]; error?: string };
    if (res.status !== 200) {
      listResult.replaceChildren(
        h('p', { class: 'error', role: 'alert' }, `Not saved: ${body.error ?? `HTTP ${res.status}`}`),
        ...(body.problems ?? []).map((p) => h('pre', { class: 'error' }, p)),
      );
      return;
    }
    await refresh();
    if (!alive()) return;
    drawLists(n);
    loadList(n);
    listResult.replaceChildren(h('p', { class: 'ok' }, `Saved @${n} to `, h('code', {}, body.file ?? '?')));
    void preview();
  };
  const problems = h('div', { id: 'query-problems' });
  const previewList = h('ol', { id: 'preview-list', class: 'articles' });

  const relevanceHolder = h('div', { id: 'relevance-holder' });
  view.replaceChildren(
    heading('Topics'),
    actionResult,
    tableHolder,
    h(
      'div',
      { class: 'editor-layout' },
      h(
        'section',
        { 'aria-labelledby': 'editor-heading' },
        h('h2', { id: 'editor-heading' }, 'Edit a topic'),
        form,
      ),
      h(
        'section',
        { 'aria-labelledby': 'preview-heading' },
        h('h2', { id: 'preview-heading' }, 'Preview'),
        previewCount,
        impact,
        problems,
        previewList,
      ),
    ),
    relevanceHolder,
    h(
      'section',
      { 'aria-labelledby': 'lists-heading' },
      h('h2', { id: 'lists-heading' }, 'Named lists'),
      listForm,
    ),
  );

  // Preview: each keystroke cancels the request under way, so a slow answer to an old query
  // never replaces the answer to the current one.
  let pending: AbortController | undefined;
  const preview = async () => {
    pending?.abort();
    const text = query.value;
    if (!text.trim()) {
      previewCount.textContent = 'Type a query to see which stored articles it matches.';
      problems.replaceChildren();
      impact.replaceChildren();
      previewList.replaceChildren();
      query.removeAttribute('aria-invalid');
      return;
    }
    const controller = (pending = new AbortController());
    const min = minScore.valueAsNumber;
    try {
      const res = await sendJson(
        'POST',
        '/api/preview',
        {
          query: text,
          ...(min >= 0 && min <= 1 ? { minScore: min } : {}),
          ...(id.validity.valid && id.value ? { topicId: id.value, enabled: enabled.checked } : {}),
        },
        controller.signal,
      );
      if (res.status !== 200) throw new ApiError(res.status, res.body);
      showPreview(res.body as QueryPreview, text);
    } catch (e) {
      if (!isAbort(e)) problems.replaceChildren(errorBox(e, 'Preview failed'));
    }
  };
  const showPreview = (p: QueryPreview, text: string) => {
    query.toggleAttribute('aria-invalid', !p.valid);
    problems.replaceChildren(...p.problems.map(problemItem));
    if (!p.valid) {
      previewCount.textContent = 'The query has errors: nothing searched.';
      impact.replaceChildren(h('p', {}, 'Saving is refused while the query has errors.'));
      previewList.replaceChildren();
      return;
    }
    impact.replaceChildren(...(p.impact ? impactLines(p.impact) : []));
    // The query the preview is of, for a reader (or a test) waiting for the answer to a change.
    previewList.dataset.query = text;
    const shown = p.matches.length < p.total ? ` (the best ${p.matches.length} shown)` : '';
    previewCount.textContent = `${p.total} of ${p.searched} stored articles match${shown}`;
    previewList.replaceChildren(
      ...p.matches.map((m) =>
        h(
          'li',
          { 'data-article-id': m.article.id },
          h('a', { href: articleHref(m.article.id), class: 'article-link' }, m.article.title),
          h('div', { class: 'meta' }, `${m.article.date} · score ${score(m.score)} · ${m.terms.join(', ')}`),
          h('blockquote', { class: 'snippet' }, renderSnippet(m.snippet)),
        ),
      ),
    );
  };
  const problemItem = (p: QueryProblem) => {
    // Selecting the offending span in the query is quicker than counting columns.
    const show = h('button', { type: 'button', class: 'link' }, `line ${p.line}, column ${p.column}`);
    show.addEventListener('click', () => {
      query.focus();
      query.setSelectionRange(p.offset, p.offset + Math.max(1, p.length));
    });
    return h(
      'div',
      { class: `problem ${p.severity}` },
      h(
        'p',
        {},
        h('strong', {}, p.severity === 'error' ? 'Error' : 'Warning'),
        ' at ',
        show,
        `: ${p.message}`,
      ),
      h('pre', {}, p.caret),
    );
  };
  const later = debounce(() => void preview(), TYPING_DELAY_MS);
  query.addEventListener('input', later);
  minScore.addEventListener('input', later);
  id.addEventListener('input', later);
  enabled.addEventListener('change', later);
  onLeave(() => {
    later.cancel();
    pending?.abort();
  });

  const load = (topicId: string) => {
    const t = topics.find((x) => x.id === topicId);
    id.value = t?.id ?? '';
    id.readOnly = t !== undefined;
    name.value = t?.name ?? '';
    description.value = t?.description ?? '';
    query.value = t?.query ?? '';
    minScore.value = String(t?.minScore ?? 0.3);
    enabled.checked = t?.enabled ?? true;
    result.replaceChildren();
    history.replaceState(null, '', t ? `#/topics/${encodeURIComponent(t.id)}` : '#/topics');
    later.cancel();
    void preview();
    relevanceHolder.replaceChildren();
    if (t)
      void getJson<TopicRelevance>(`/api/topics/${encodeURIComponent(t.id)}/eval`).then((r) => {
        if (alive() && select.value === t.id) relevanceHolder.replaceChildren(relevancePanel(r));
      });
  };
  select.addEventListener('change', () => load(select.value));
  drawOptions(args[0] ?? '');
  load(select.value);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void save();
  });
  const save = async () => {
    result.replaceChildren(h('p', {}, 'Saving…'));
    const topicId = id.value.trim();
    const payload = {
      name: name.value.trim(),
      query: query.value,
      minScore: minScore.valueAsNumber,
      enabled: enabled.checked,
      ...(description.value.trim() ? { description: description.value.trim() } : {}),
    };
    try {
      const res = await sendJson('PUT', `/api/topics/${encodeURIComponent(topicId)}`, payload);
      const body = (res.body ?? {}) as { file?: string; problems?: string[]; error?: string };
      if (res.status !== 200) {
        // 422 lists the problems the topic files would have; 400 says what is wrong with the form.
        const problems = body.problems ?? [];
        const why =
          problems.length > 0 ? 'the topic files would have problems' : (body.error ?? `HTTP ${res.status}`);
        result.replaceChildren(
          h('p', { class: 'error', role: 'alert' }, `Not saved: ${why}`),
          ...problems.map((p) => h('pre', { class: 'error' }, p)),
        );
        return;
      }
      const reload = body.problems ?? [];
      result.replaceChildren(
        h('p', { class: 'ok' }, 'Saved to ', h('code', {}, body.file ?? '?')),
        ...(reload.length > 0
          ? [
              h('p', { class: 'error' }, 'but the topics were not reloaded:'),
              ...reload.map((p) => h('pre', {}, p)),
            ]
          : []),
      );
      await refresh();
      if (!alive()) return;
      drawTable();
      drawOptions(topicId);
      void preview();
      id.readOnly = true;
      history.replaceState(null, '', `#/topics/${encodeURIComponent(topicId)}`);
    } catch (e) {
      result.replaceChildren(errorBox(e, 'Could not save'));
    }
  };
}

/**
 * What saving will do, said exactly: the file written, what happens to the stored articles
 * (nothing: they are not matched again, so nobody is alerted about them) and who an article
 * arriving later is alerted to.
 */
function impactLines(i: SaveImpact): HTMLElement[] {
  const lines: Child[] = [
    i.exists
      ? `Saving changes the topic ${i.topicId} in this machine's own topics (.newswatch/topics/).`
      : `Saving adds the topic ${i.topicId} to this machine's own topics (.newswatch/topics/).`,
    `Among the stored articles it matches ${plural(i.matches, 'article')}: ${i.alreadyMatched} already matched by this topic, ${plural(i.newMatches, 'new one', 'new ones')}.`,
    i.noLongerMatched > 0
      ? `${plural(i.noLongerMatched, 'stored match', 'stored matches')} of this topic would no longer match; stored matches are kept as they are.`
      : null,
    h(
      'strong',
      { id: 'impact-stored-alerts' },
      i.newMatches > 0
        ? `No alert goes out for stored articles: the ${plural(i.newMatches, 'new one', 'new ones')} stay${i.newMatches === 1 ? 's' : ''} unmatched (saving does not match stored articles again).`
        : 'No alert goes out for stored articles.',
    ),
    !i.enabled
      ? h(
          'span',
          { id: 'impact-future' },
          'The topic is disabled: articles arriving later are not matched, and nobody is alerted.',
        )
      : i.recipients.length === 0
        ? h(
            'span',
            { id: 'impact-future' },
            'Articles arriving later are matched, but no subscriber takes this topic: nobody is alerted.',
          )
        : h(
            'span',
            { id: 'impact-future' },
            `Articles arriving later that match alert: ${i.recipients
              .map(
                (r) =>
                  `${r.subscriberId} (${r.channel}${r.mode === 'digest' ? ', in the daily digest' : ''}${r.minScore > 0 ? `, score ≥ ${r.minScore}` : ''}${r.languages ? `, ${r.languages.join('/')} only` : ''})`,
              )
              .join(', ')}.`,
          ),
  ];
  return lines.filter((l): l is Exclude<Child, null | undefined | false> => !!l).map((l) => h('p', {}, l));
}

/** A topic's figures on its labels: counts, precision and recall, false alerts, misses, thresholds. */
function relevancePanel(r: TopicRelevance): HTMLElement {
  const num = (x: number | null) => (x === null ? '–' : x.toFixed(2));
  const articleLink = (id: string) => h('a', { href: articleHref(id) }, h('code', {}, id.slice(0, 12)));
  return h(
    'section',
    { id: 'topic-relevance', 'aria-labelledby': 'topic-relevance-heading' },
    h('h2', { id: 'topic-relevance-heading' }, 'Relevance on labels'),
    r.labelled === 0
      ? h('p', { class: 'empty' }, 'No labels yet: mark matches relevant or not on an article page.')
      : fragment(
          h(
            'p',
            { id: 'relevance-figures' },
            `${r.labelled} labelled, ${r.relevant} relevant. At minimum score ${r.minScore}: ${r.alerts} alerts, ${r.truePositives} right, ${r.falsePositives} false, ${r.falseNegatives} missed. Precision ${num(r.precision)}, recall ${num(r.recall)}, F1 ${num(r.f1)}${r.bestMinScore === null ? '' : `; best F1 at ${r.bestMinScore}`}.`,
            r.stage ? ` Trained stage: figures by ${r.stage.folds}-fold cross-validation.` : '',
          ),
          table(
            'false-alerts',
            'False alerts',
            ['Article', 'Score', 'Reason'],
            r.falseAlerts.map((f) =>
              h(
                'tr',
                {},
                h('td', {}, articleLink(f.article)),
                h('td', {}, score(f.score)),
                h('td', {}, f.reason),
              ),
            ),
            'None.',
          ),
          table(
            'misses',
            'Misses',
            ['Article', 'Why', 'Reason'],
            r.misses.map((m) =>
              h(
                'tr',
                {},
                h('td', {}, articleLink(m.article)),
                h('td', {}, m.why === 'no match' ? 'no match' : `score ${score(m.score ?? 0)}`),
                h('td', {}, m.reason),
              ),
            ),
            'None.',
          ),
          table(
            'thresholds',
            'Precision and recall at each minimum score',
            ['Min score', 'Alerts', 'Right', 'Precision', 'Recall', 'F1'],
            r.thresholds.map((t) =>
              h(
                'tr',
                {},
                h('td', {}, score(t.minScore)),
                h('td', {}, t.alerts),
                h('td', {}, t.truePositives),
                h('td', {}, num(t.precision)),
                h('td', {}, num(t.recall)),
                h('td', {}, num(t.f1)),
              ),
            ),
            'No labelled matches.',
          ),
        ),
  );
}
