/**
 * DOM helpers of the page. Article text is untrusted (anyone can drop a file into the inbox),
 * so text only ever reaches the page as text nodes: no innerHTML anywhere.
 */
import type { RecipientState } from '../../../functions/core/alerts/recipients.ts';

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | undefined>;

/**
 * Creates an element. Attributes go through setAttribute and children become text nodes, so
 * untrusted strings are never parsed as HTML. `true` sets an empty attribute; `false` and
 * `undefined` leave it out.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(
      typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c,
    );
  }
}

/** Replaces an element's children, skipping the empty ones. */
export const fill = (parent: Element, ...children: Child[]) => {
  parent.replaceChildren();
  append(parent, ...children);
};

export const fragment = (...children: Child[]) => {
  const f = document.createDocumentFragment();
  append(f, ...children);
  return f;
};

/** `YYYY-MM-DD HH:MM UTC`, in a <time> element carrying the full timestamp. */
export const time = (iso: string | undefined) =>
  iso ? h('time', { datetime: iso }, `${iso.slice(0, 16).replace('T', ' ')} UTC`) : '—';

export const score = (s: number) => (Math.round(s * 1000) / 1000).toString();

export const articleHref = (id: string) => `#/article/${encodeURIComponent(id)}`;
export const storyHref = (id: string) => `#/story/${encodeURIComponent(id)}`;

/** Runs of white space as one space: paragraphs compared across versions. */
export const squash = (p: string) => p.replace(/\s+/g, ' ').trim();

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const errorBox = (e: unknown, what = 'Could not load') =>
  h('p', { class: 'error', role: 'alert' }, `${what}: ${e instanceof Error ? e.message : String(e)}`);

/** A route part as written, when it is not valid percent-encoding (a hand-typed address). */
export const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** A labelled form control, wrapped so label and control stay together in the layout. */
export const field = (label: string, control: HTMLElement, hint?: string) =>
  h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    control,
    hint ? h('small', { id: `${control.id}-hint`, class: 'hint' }, hint) : null,
  );

export function table(
  id: string,
  caption: string,
  headings: string[],
  rows: HTMLTableRowElement[],
  empty: string,
) {
  const body = h('tbody', {}, ...rows);
  if (rows.length === 0)
    body.append(h('tr', {}, h('td', { colspan: headings.length, class: 'empty' }, empty)));
  return h(
    'table',
    { id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headings.map((t) => h('th', { scope: 'col' }, t)))),
    body,
  );
}

/** Calls `fn` once the user has stopped typing for `ms`. */
export function debounce(fn: () => void, ms: number): { (): void; cancel(): void } {
  let timer: number | undefined;
  const run = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(fn, ms);
  };
  run.cancel = () => window.clearTimeout(timer);
  return run;
}

/** What a view gets: where to draw, the route's parts, and whether it is still the one shown. */
export interface ViewContext {
  view: HTMLElement;
  args: string[];
  params: URLSearchParams;
  /** False once the user has moved on: a late answer must not draw anything or start anything. */
  alive: () => boolean;
  /** Runs when the user leaves the view (charts destroyed, requests cancelled). */
  onLeave: (fn: () => void) => void;
}

export const heading = (text: string) => h('h1', { tabindex: -1 }, text);

/** How each state of a recipient's copy of an alert reads. */
export const RECIPIENT_STATES: Record<RecipientState, string> = {
  delivered: 'delivered',
  queued: 'queued',
  failed: 'failed',
  held: 'held',
  digest: 'in the digest',
  'story-alerted': 'not sent: story already alerted',
};
