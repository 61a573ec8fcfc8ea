import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import { build } from 'esbuild';
import { type Context, type Env, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { CatalogSnapshot } from '../../functions/adapters/local/local-catalog.ts';
import { type LocalViews, viewsOf } from '../views.ts';
import { deleteTopic, saveList, saveTopic } from '../../functions/adapters/local/topic-folder.ts';
import * as z from '../../functions/core/validation.ts';
import { type LocalNewswatch, localTopicsOf, StartupError } from '../local-newswatch.ts';
import { FolderLabelStore } from '../../functions/adapters/local/label-folder.ts';
import { checkLabel } from '../../functions/core/topics/labels.ts';
import { articlesCsv, articlesJson } from '../export.ts';
import { UnsafeUploadName, uploadOutcome, writeUpload } from '../uploads.ts';
import {
  type ArticleFilter,
  exportArticles,
  evaluateTopics,
  labelledArticlesOf,
  previewQuery,
} from '../services.ts';

const webFile = (name: string) => fileURLToPath(new URL(`./web/${name}`, import.meta.url));

/** Bundles the page's script (and Chart.js) once, in memory: nothing to build by hand, nothing from a CDN. */
const bundleScript = async (): Promise<string> => {
  const result = await build({
    entryPoints: [webFile('app.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
};

const PreviewBody = z.object({
  query: z.string().check(z.maxLength(20_000)),
  minScore: z.optional(z.number().check(z.gte(0), z.lte(1))),
  /** The topic the query would be saved as, to say what saving would do. */
  topicId: z.optional(z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/))),
  enabled: z.optional(z.boolean()),
});

const EnabledBody = z.object({ enabled: z.boolean() });

const ListBody = z.object({
  items: z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.minLength(1), z.maxLength(5000)),
});

const LIST_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const TopicBody = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  query: z.string().check(z.minLength(1), z.maxLength(20_000)),
  minScore: z.number().check(z.gte(0), z.lte(1)),
  enabled: z.boolean(),
  description: z.optional(z.string().check(z.maxLength(2000))),
});

const TOPIC_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The filters and order of an article list, from its query string (anything malformed left out). */
const articleFilterOf = (q: Record<string, string>): ArticleFilter => {
  const minScore = Number(q.minScore);
  const text = (k: string) => (q[k]?.trim() ? { [k]: q[k].trim().slice(0, 500) } : {});
  return {
    ...text('q'),
    ...text('topic'),
    ...text('outlet'),
    ...text('language'),
    ...text('country'),
    ...(q.from && DAY.test(q.from) ? { from: q.from } : {}),
    ...(q.to && DAY.test(q.to) ? { to: q.to } : {}),
    ...(q.minScore && Number.isFinite(minScore) ? { minScore: Math.min(Math.max(minScore, 0), 1) } : {}),
    ...(q.sort === 'score' ? { sort: 'score' as const } : {}),
  };
};

const LabelBody = z.object({
  topic: z.string().check(z.regex(TOPIC_ID)),
  article: z.string().check(z.minLength(1), z.maxLength(300)),
  label: z.union([z.literal(0), z.literal(1)]),
  reason: z.string().check(z.maxLength(500)),
});

/**
 * The largest request body each route reads: its fields at their longest, every character
 * JSON-escaped (`\uXXXX`, 6 bytes), with room to spare. No other route reads a body, and no
 * request may send more than the largest of these.
 */
export const BODY_LIMITS = {
  preview: 160 * 1024,
  topic: 160 * 1024,
  label: 16 * 1024,
} as const;

/**
 * The largest upload into the inbox, one request: a file sent raw, or several in one
 * multipart form. The pipeline's own limit then decides, per file, what it reads.
 */
export const UPLOAD_LIMIT = 32 * 1024 * 1024;

/** The route files are uploaded to, and the header a write to it must carry. */
const UPLOAD_PATH = '/api/inbox';
const UPLOAD_HEADER = 'x-newswatch-upload';
/** Files in one upload request, and outcomes asked for at once. */
const MAX_UPLOAD_FILES = 500;

/** Refuses a body over `maxSize` bytes with 413, whether it declares its length or is sent in chunks. */
const limitBody = (maxSize: number): MiddlewareHandler =>
  bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: `the request body is over ${maxSize} bytes` }, 413),
  });

/** Whether an `Origin` header names the dashboard itself (`null`, or anything unparsable, does not). */
const isOwnOrigin = (origin: string, host: string | undefined): boolean => {
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  return url.protocol === 'http:' && url.host === host;
};

/**
 * The dashboard's HTTP API and page. Bound to 127.0.0.1; requests naming another host are
 * refused (a web page elsewhere cannot reach it by DNS rebinding), writes must be JSON from
 * the page's own origin, and request bodies are bounded per route ({@link BODY_LIMITS}).
 */
export const dashboardApp = (
  local: LocalNewswatch,
  snapshot: () => Promise<CatalogSnapshot>,
  script: string,
  views: LocalViews = viewsOf(local),
) => {
  const app = new Hono();
  const page = readFileSync(webFile('index.html'), 'utf8');
  const style = readFileSync(webFile('style.css'), 'utf8');

  app.use('*', async (c, next) => {
    const host = (c.req.header('host') ?? '').replace(/:\d+$/, '');
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) return c.text('unknown host', 421);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const origin = c.req.header('origin');
      if (origin !== undefined && !isOwnOrigin(origin, c.req.header('host'))) {
        return c.json({ error: 'cross-origin request refused' }, 403);
      }
      const type = c.req.header('content-type') ?? '';
      if (c.req.path === UPLOAD_PATH) {
        // A header of our own makes any cross-site request a preflighted one, which is never allowed.
        if (c.req.header(UPLOAD_HEADER) !== '1')
          return c.json({ error: `an upload carries the header ${UPLOAD_HEADER}: 1` }, 403);
        if (!type.startsWith('application/octet-stream') && !type.startsWith('multipart/form-data'))
          return c.json(
            { error: 'send the file raw (application/octet-stream) or as multipart/form-data' },
            415,
          );
      } else if (!type.startsWith('application/json')) {
        return c.json({ error: 'send JSON (content-type: application/json)' }, 415);
      }
    }
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
  });
  // Uploads have their own, larger limit; every other request the largest of BODY_LIMITS.
  app.use(UPLOAD_PATH, limitBody(UPLOAD_LIMIT));
  const otherLimit = limitBody(Math.max(...Object.values(BODY_LIMITS)));
  app.use('*', (c, next) =>
    // The refusal the limit answers with must be returned, or it is lost.
    c.req.path === UPLOAD_PATH ? next() : otherLimit(c as Context<Env, string>, next),
  );

  app.get('/', (c) => {
    c.header('content-security-policy', "default-src 'self'; style-src 'self'; img-src 'self' data:");
    return c.html(page);
  });
  app.get('/app.js', (c) => c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
  app.get('/style.css', (c) => c.body(style, 200, { 'content-type': 'text/css; charset=utf-8' }));

  app.get('/api/status', (c) => {
    const status = views.status();
    return c.json({
      articles: status.articles,
      matches: status.matches,
      alerts: status.alerts,
      deliveries: status.deliveries,
      errors: status.errors,
      topics: local.topicSet?.topics.length ?? 0,
      topicSetVersion: local.topicSet?.version,
      subscribers: local.subscribers.length,
      paths: local.paths,
    });
  });

  app.get('/api/articles', async (c) => {
    const q = c.req.query();
    const limit = Number(q.limit ?? '100');
    const offset = Number(q.offset ?? '0');
    return c.json(
      await views.articles({
        ...articleFilterOf(q),
        offset: Number.isFinite(offset) ? Math.max(Math.trunc(offset), 0) : 0,
        limit: Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 1), 1000) : 100,
      }),
    );
  });

  app.get('/api/articles/facets', (c) => c.json(views.facets()));

  // The whole of the current view (the list's filters and order, every page), as a download.
  app.get('/api/articles/export', async (c) => {
    const q = c.req.query();
    const format = q.format === 'json' ? 'json' : q.format === 'csv' || q.format === undefined ? 'csv' : '';
    if (!format) return c.json({ error: 'format is csv or json' }, 400);
    const filter = articleFilterOf(q);
    const articles = exportArticles(await snapshot(), filter);
    const now = new Date().toISOString();
    const name = `newswatch-articles-${now.slice(0, 19).replace(/[:T]/g, '-')}.${format}`;
    const headers = { 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' };
    return format === 'csv'
      ? c.body(articlesCsv(articles), 200, {
          ...headers,
          'content-type': 'text/csv; charset=utf-8; header=present',
        })
      : c.body(articlesJson(articles, filter, now), 200, {
          ...headers,
          'content-type': 'application/json; charset=utf-8',
        });
  });

  app.get('/api/articles/:id', async (c) => {
    const detail = await views.article(c.req.param('id'));
    return detail ? c.json(detail) : c.json({ error: 'no such article' }, 404);
  });

  app.get('/api/topics', (c) => c.json({ topics: views.topicList(), lists: local.topicSet?.lists ?? {} }));

  app.post('/api/preview', limitBody(BODY_LIMITS.preview), async (c) => {
    const body = PreviewBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ error: z.firstIssue(body.error) }, 400);
    return c.json(
      await previewQuery(body.data.query, local.topicSet, await snapshot(), {
        minScore: body.data.minScore ?? 0,
        ...(body.data.topicId
          ? {
              impactFor: {
                topicId: body.data.topicId,
                enabled: body.data.enabled ?? true,
                subscribers: local.subscribers,
              },
            }
          : {}),
      }),
    );
  });

  /** Answers a change of the topic files: 422 with the problems, else the reloaded set's version. */
  const afterChange = async (
    c: Context<Env, string>,
    saved: { file: string; problems: string[] },
  ): Promise<Response> => {
    if (saved.problems.length > 0) return c.json({ error: 'not saved', problems: saved.problems }, 422);
    const reloaded = await local.reloadTopics();
    return c.json({
      file: saved.file,
      topicSetVersion: local.topicSet?.version,
      problems: reloaded.problems,
    });
  };

  app.put('/api/topics/:id', limitBody(BODY_LIMITS.topic), async (c) => {
    const id = c.req.param('id');
    if (!TOPIC_ID.test(id))
      return c.json({ error: 'a topic id is lower-case letters, digits and dashes' }, 400);
    const body = TopicBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ error: z.firstIssue(body.error) }, 400);
    return afterChange(c, saveTopic(localTopicsOf(local.paths), { id, ...body.data }, local.paths.topics));
  });

  app.post('/api/topics/:id/enabled', limitBody(BODY_LIMITS.label), async (c) => {
    const topic = local.topicSet?.topics.find((t) => t.id === c.req.param('id'));
    if (!topic) return c.json({ error: 'no such topic' }, 404);
    const body = EnabledBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ error: z.firstIssue(body.error) }, 400);
    const edit = {
      id: topic.id,
      name: topic.name,
      query: topic.query,
      minScore: topic.minScore,
      enabled: body.data.enabled,
      ...(topic.description ? { description: topic.description } : {}),
    };
    return afterChange(c, saveTopic(localTopicsOf(local.paths), edit, local.paths.topics));
  });

  app.delete('/api/topics/:id', limitBody(BODY_LIMITS.label), async (c) => {
    const id = c.req.param('id');
    if (!local.topicSet?.topics.some((t) => t.id === id)) return c.json({ error: 'no such topic' }, 404);
    // A subscriber or a feed naming a topic that is gone would stop the next start: say so instead.
    const users = [
      ...local.subscribers.filter((s) => s.topics.includes(id)).map((s) => `subscriber ${s.id}`),
      ...local.feeds.feeds.filter((f) => f.topics?.includes(id)).map((f) => `feed ${f.id}`),
    ];
    if (users.length > 0)
      return c.json(
        {
          error: `${users.join(', ')} ${users.length === 1 ? 'names' : 'name'} this topic: disable it instead, or take it out of ${users.length === 1 ? 'that file' : 'those files'} first`,
        },
        409,
      );
    return afterChange(c, deleteTopic(localTopicsOf(local.paths), id, local.paths.topics));
  });

  app.put('/api/lists/:name', limitBody(BODY_LIMITS.topic), async (c) => {
    const name = c.req.param('name');
    if (!LIST_NAME.test(name))
      return c.json({ error: 'a list name is a letter, then letters, digits, _ or -' }, 400);
    const body = ListBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ error: z.firstIssue(body.error) }, 400);
    const items = body.data.items.map((i) => i.trim()).filter(Boolean);
    return afterChange(c, saveList(localTopicsOf(local.paths), name, items, local.paths.topics));
  });

  const labels = () => new FolderLabelStore(local.paths.labels);

  app.get('/api/labels', async (c) => {
    const article = c.req.query('article');
    const all = await labels().listLabels(c.req.query('topic'));
    return c.json({ labels: article ? all.filter((l) => l.article === article) : all });
  });

  app.post('/api/labels', limitBody(BODY_LIMITS.label), async (c) => {
    const body = LabelBody.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return c.json({ error: z.firstIssue(body.error) }, 400);
    if (!local.topicSet?.topics.some((t) => t.id === body.data.topic))
      return c.json({ error: `no topic ${body.data.topic}` }, 404);
    const checked = checkLabel({
      ...body.data,
      reason: body.data.reason.trim() || (body.data.label === 1 ? 'relevant' : 'not relevant'),
      by: 'dashboard',
      at: new Date().toISOString(),
    });
    if (!checked.ok) return c.json({ error: checked.message }, 400);
    await labels().putLabel(checked.label);
    return c.json({ stored: checked.label }, 201);
  });

  app.get('/api/topics/:id/eval', async (c) => {
    const id = c.req.param('id');
    if (!local.topicSet?.topics.some((t) => t.id === id)) return c.json({ error: 'no such topic' }, 404);
    const split = c.req.query('split');
    const mine = await labels().listLabels(id);
    // Only the labelled articles are read, by key.
    const labelled = await local.catalog.part([...new Set(mine.map((l) => l.article))]);
    const evaluation = evaluateTopics(local.topicSet, labelledArticlesOf(labelled), mine, {
      topic: id,
      ...(split === 'dev' || split === 'test' ? { split } : {}),
    });
    return c.json(evaluation.topics[0] ?? {});
  });

  app.get('/api/alerts', (c) => {
    const topic = c.req.query('topic');
    return c.json({ alerts: views.alerts(topic) });
  });

  app.get('/api/subscribers', (c) => c.json({ subscribers: views.subscriberList() }));

  app.get('/api/stories', (c) => c.json({ stories: views.stories(c.req.query('all') === 'true') }));

  app.get('/api/stories/:id', async (c) => {
    const story = await views.story(c.req.param('id'));
    return story ? c.json(story) : c.json({ error: 'no such story' }, 404);
  });

  // Uploads: written into inbox/uploads/, where the watcher ingests them like any dropped file.
  app.post(UPLOAD_PATH, async (c) => {
    const files: Array<{ name: string; bytes: () => Promise<Uint8Array> }> = [];
    if ((c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
      const form = await c.req.parseBody({ all: true });
      for (const value of Object.values(form).flat())
        if (value instanceof File)
          files.push({ name: value.name, bytes: async () => new Uint8Array(await value.arrayBuffer()) });
    } else {
      const name = c.req.query('name') ?? '';
      files.push({ name, bytes: async () => new Uint8Array(await c.req.arrayBuffer()) });
    }
    if (files.length === 0) return c.json({ error: 'no file in the request' }, 400);
    if (files.length > MAX_UPLOAD_FILES)
      return c.json({ error: `at most ${MAX_UPLOAD_FILES} files in one request` }, 400);
    const results = [];
    for (const f of files) {
      try {
        const written = writeUpload(local.paths.inbox, f.name, await f.bytes());
        results.push({ name: f.name, status: 'written', key: written.key, bytes: written.bytes });
      } catch (e) {
        if (!(e instanceof UnsafeUploadName)) throw e;
        results.push({ name: f.name, status: 'refused', reason: e.message });
      }
    }
    return c.json({ files: results }, 201);
  });

  // How the ingest of uploaded files ended, by source key (`waiting` until the watcher has read it).
  app.get(`${UPLOAD_PATH}/outcomes`, async (c) => {
    const keys = (c.req.queries('key') ?? []).slice(0, MAX_UPLOAD_FILES);
    return c.json({ outcomes: await Promise.all(keys.map((k) => uploadOutcome(k, local.articles))) });
  });

  app.get('/api/chart', (c) => {
    const { from, to } = c.req.query();
    const range = {
      ...(from && DAY.test(from) ? { from } : {}),
      ...(to && DAY.test(to) ? { to } : {}),
    };
    // A range asked for may be up to a year long; by default the chart shows the last 90 days with matches.
    return c.json(views.chart(range));
  });
  app.get('/api/errors', (c) => c.json({ errors: views.errors() }));
  app.get('/api/feeds', async (c) => c.json({ feeds: await local.feeds.list() }));

  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((e, c) => c.json({ error: e.message }, 500));
  return app;
};

/** A dashboard being served. */
export interface DashboardServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the dashboard on 127.0.0.1; a port in use is a {@link StartupError}. */
export const startDashboard = async (
  local: LocalNewswatch,
  options: { port: number; snapshot: () => Promise<CatalogSnapshot> },
): Promise<DashboardServer> => {
  const app = dashboardApp(local, options.snapshot, await bundleScript());
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new StartupError(
              `port ${options.port} is already in use; start with --port <another> (or PORT=<another>)`,
            )
          : e,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
