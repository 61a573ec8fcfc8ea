import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Colors,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import type { MatchesPerDay } from '../../services.ts';
import { getJson, isAbort } from './api.ts';
import { errorBox, field, h } from './dom.ts';

/**
 * The chart of matches per topic per day (by article date), with a date range asked of the
 * server and a switch per topic that shows or hides its bars without asking again.
 */

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Colors, Legend, Tooltip);

/** The section, and what to call when the view is left. */
export function chartSection(names: ReadonlyMap<string, string>): { section: HTMLElement; destroy(): void } {
  const from = h('input', { id: 'chart-from', type: 'date' });
  const to = h('input', { id: 'chart-to', type: 'date' });
  const toggles = h('fieldset', { id: 'chart-topics', class: 'chooser' }, h('legend', {}, 'Topics shown'));
  const box = h('div', { class: 'chart-box' });
  const status = h('p', { id: 'chart-status', role: 'status', class: 'hint' });
  const section = h(
    'section',
    { 'aria-labelledby': 'chart-heading' },
    h('h2', { id: 'chart-heading' }, 'Matches per day'),
    h('form', { id: 'chart-range', class: 'filters' }, field('From', from), field('To', to)),
    toggles,
    status,
    box,
  );
  let instance: Chart | undefined;
  let pending: AbortController | undefined;
  /** Topics switched off, kept across a change of the range. */
  const hidden = new Set<string>();

  const draw = (chart: MatchesPerDay) => {
    instance?.destroy();
    instance = undefined;
    toggles.replaceChildren(h('legend', {}, 'Topics shown'));
    if (chart.days.length === 0) {
      box.replaceChildren(
        h(
          'p',
          { class: 'empty' },
          from.value || to.value
            ? 'No matches in these dates.'
            : 'No matches yet: drop article files into the inbox.',
        ),
      );
      status.textContent = '';
      return;
    }
    status.textContent = `${chart.days[0]} to ${chart.days.at(-1)}`;
    const canvas = h(
      'canvas',
      {
        id: 'chart',
        role: 'img',
        'aria-label': `Matches per topic per day, ${chart.days[0]} to ${chart.days.at(-1)}`,
      },
      'Matches per topic per day.',
    );
    box.replaceChildren(canvas);
    instance = new Chart(canvas, {
      type: 'bar',
      data: {
        labels: chart.days,
        datasets: chart.series.map((s) => ({
          label: names.get(s.topicId) ?? s.topicId,
          data: s.counts,
          hidden: hidden.has(s.topicId),
        })),
      },
      options: {
        maintainAspectRatio: false,
        // A screenshot or a quick look should show the final bars, not the grow animation.
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    chart.series.forEach((s, i) => {
      const box = h('input', {
        type: 'checkbox',
        'data-topic-id': s.topicId,
        checked: !hidden.has(s.topicId),
      });
      box.addEventListener('change', () => {
        if (box.checked) hidden.delete(s.topicId);
        else hidden.add(s.topicId);
        instance?.setDatasetVisibility(i, box.checked);
        instance?.update();
        canvas.dataset.hidden = [...hidden].sort().join(',');
      });
      const total = s.counts.reduce((a, b) => a + b, 0);
      toggles.append(h('label', {}, box, ` ${names.get(s.topicId) ?? s.topicId} (${total})`));
    });
    canvas.dataset.hidden = [...hidden].sort().join(',');
  };

  const load = async () => {
    pending?.abort();
    const controller = (pending = new AbortController());
    const range = new URLSearchParams();
    if (from.value) range.set('from', from.value);
    if (to.value) range.set('to', to.value);
    try {
      draw(await getJson<MatchesPerDay>(`/api/chart?${range}`, controller.signal));
    } catch (e) {
      if (!isAbort(e)) box.replaceChildren(errorBox(e));
    }
  };
  for (const input of [from, to]) input.addEventListener('change', () => void load());
  void load();
  return {
    section,
    destroy: () => {
      pending?.abort();
      instance?.destroy();
    },
  };
}
