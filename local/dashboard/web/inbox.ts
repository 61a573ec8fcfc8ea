import type { UploadOutcome } from '../../uploads.ts';
import { ApiError, getJson, readJson } from './api.ts';
import { articleHref, h, heading, plural, type ViewContext } from './dom.ts';

/**
 * Uploads into the inbox: files and whole folders dropped on the page (or picked), each sent
 * to the server, written into `inbox/uploads/` and ingested by the runtime like any file
 * dropped there. Each file gets its outcome — stored, duplicate or rejected with the reason —
 * as soon as the pipeline has one.
 */

/** Files sent at once. */
const PARALLEL = 3;
const POLL_MS = 400;
/** How long outcomes are waited for before the page says the file is still waiting. */
const WAIT_MS = 120_000;

/** One file to send: its path below the dropped folder (or its name) and its bytes. */
interface Picked {
  path: string;
  file: File;
}

/** Every file of a dropped folder, with its path, read through the entries API. */
async function filesOf(entry: FileSystemEntry): Promise<Picked[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    return [{ path: entry.fullPath.replace(/^\//, ''), file }];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const out: Picked[] = [];
  // readEntries answers in batches: read until it answers none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) break;
    for (const e of batch) out.push(...(await filesOf(e)));
  }
  return out;
}

/** The files of a drop: folders walked through, plain files as they are. */
async function droppedFiles(data: DataTransfer): Promise<Picked[]> {
  const entries = [...data.items]
    .filter((i) => i.kind === 'file')
    .map((i) => ({ entry: i.webkitGetAsEntry?.() ?? null, file: i.getAsFile() }));
  const out: Picked[] = [];
  for (const { entry, file } of entries) {
    if (entry) out.push(...(await filesOf(entry)));
    else if (file) out.push({ path: file.name, file });
  }
  return out;
}

const STATUS_TEXT: Record<string, string> = {
  sending: 'sending…',
  waiting: 'written to the inbox, being ingested…',
  stored: 'stored',
  duplicate: 'duplicate (the same text is stored already)',
  container: 'read as several articles',
  rejected: 'rejected',
  refused: 'not written',
  failed: 'not sent',
};

export function inboxView({ view, alive, onLeave }: ViewContext): Promise<void> {
  const zone = h(
    'div',
    { id: 'drop-zone', class: 'drop-zone', tabindex: 0, role: 'region', 'aria-label': 'Drop files here' },
    h('p', {}, h('strong', {}, 'Drop files or folders here'), ' to put them in the inbox.'),
    h(
      'p',
      { class: 'hint' },
      'Each file is written into inbox/uploads/ and ingested like any file dropped into the inbox.',
    ),
  );
  const pickFiles = h('input', { id: 'upload-files', type: 'file', multiple: true });
  const pickFolder = h('input', { id: 'upload-folder', type: 'file', multiple: true, webkitdirectory: true });
  const summary = h('p', { id: 'upload-summary', role: 'status' });
  const rows = h('tbody', {});
  const results = h(
    'table',
    { id: 'upload-results' },
    h('caption', {}, 'Files sent, with how each ended'),
    h('thead', {}, h('tr', {}, ...['File', 'Outcome', 'Details'].map((t) => h('th', { scope: 'col' }, t)))),
    rows,
  );
  view.replaceChildren(
    heading('Inbox'),
    zone,
    h(
      'div',
      { class: 'filters' },
      h('div', { class: 'field' }, h('label', { for: pickFiles.id }, 'Files'), pickFiles),
      h('div', { class: 'field' }, h('label', { for: pickFolder.id }, 'A folder'), pickFolder),
    ),
    summary,
    results,
  );

  let stopped = false;
  onLeave(() => (stopped = true));
  const counts = new Map<string, number>();
  const tally = () => {
    const parts = ['stored', 'duplicate', 'container', 'rejected', 'refused', 'failed', 'waiting', 'sending']
      .filter((s) => (counts.get(s) ?? 0) > 0)
      .map((s) => `${counts.get(s)} ${s}`);
    summary.textContent = parts.join(', ');
  };

  /** One row per file, updated as its outcome is known. */
  const row = (path: string) => {
    const outcome = h('td', { class: 'outcome' });
    const details = h('td', { class: 'details' });
    const tr = h('tr', { 'data-file': path }, h('td', {}, h('code', {}, path)), outcome, details);
    rows.append(tr);
    let state = '';
    return (status: string, detail?: Node | string) => {
      if (state) counts.set(state, (counts.get(state) ?? 1) - 1);
      state = status;
      counts.set(status, (counts.get(status) ?? 0) + 1);
      tr.dataset.status = status;
      outcome.textContent = STATUS_TEXT[status] ?? status;
      details.replaceChildren(...(detail === undefined ? [] : [detail]));
      tally();
    };
  };

  const send = async (picked: readonly Picked[]) => {
    const waiting = new Map<string, ReturnType<typeof row>>();
    const queue = picked.map((p) => ({ ...p, show: row(p.path) }));
    for (const q of queue) q.show('sending');
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          const res = await fetch(`/api/inbox?name=${encodeURIComponent(next.path)}`, {
            method: 'POST',
            headers: { 'content-type': 'application/octet-stream', 'x-newswatch-upload': '1' },
            body: next.file,
          });
          const body = (await readJson(res)) as
            { files?: Array<{ status: string; key?: string; reason?: string }> } | undefined;
          if (!res.ok) throw new ApiError(res.status, body);
          const f = body?.files?.[0];
          if (f?.status === 'written' && f.key) {
            waiting.set(f.key, next.show);
            next.show('waiting');
          } else next.show('refused', f?.reason ?? '');
        } catch (e) {
          next.show('failed', e instanceof Error ? e.message : String(e));
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const deadline = Date.now() + WAIT_MS;
    while (waiting.size > 0 && !stopped && alive() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const query = new URLSearchParams([...waiting.keys()].slice(0, 200).map((k) => ['key', k]));
      const { outcomes } = await getJson<{ outcomes: UploadOutcome[] }>(`/api/inbox/outcomes?${query}`);
      for (const o of outcomes) {
        const show = waiting.get(o.key);
        if (!show || o.status === 'waiting') continue;
        waiting.delete(o.key);
        if (o.status === 'rejected') show('rejected', o.reason);
        else if (o.status === 'container' && o.container)
          show(
            'container',
            `${plural(o.container.items, 'item')}: ${o.container.stored} stored, ${o.container.duplicate} duplicate, ${o.container.rejected} rejected`,
          );
        else if (o.articleId) show(o.status, h('a', { href: articleHref(o.articleId) }, 'the article'));
        else show(o.status);
      }
    }
  };

  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer) void droppedFiles(e.dataTransfer).then(send);
  });
  for (const input of [pickFiles, pickFolder])
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])].map((file) => ({
        path: file.webkitRelativePath || file.name,
        file,
      }));
      input.value = '';
      void send(files);
    });
  return Promise.resolve();
}
