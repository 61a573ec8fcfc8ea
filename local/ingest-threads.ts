import { Worker } from 'node:worker_threads';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Alert } from '../functions/core/alerts/alert.ts';
import {
  AlertHeldError,
  AlertPublishError,
  type AlertPublisher,
} from '../functions/core/pipeline/matching.ts';
import type { FileResult, IngestFileOptions } from './ingest-file.ts';

/** The document client commands an ingest thread may send to the table (all the stores use). */
export const TABLE_COMMANDS = {
  GetCommand,
  PutCommand,
  UpdateCommand,
  DeleteCommand,
  QueryCommand,
  ScanCommand,
  BatchGetCommand,
  BatchWriteCommand,
} as const;
export type TableCommandName = keyof typeof TABLE_COMMANDS;

/** An error as it crosses between threads: its name, message and own fields (a refused write's `Item`). */
export interface ErrorData {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

export const errorData = (e: unknown): ErrorData => {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (k === 'name' || k === 'message' || k === 'stack' || typeof v === 'function') continue;
    try {
      fields[k] = structuredClone(v);
    } catch {
      // A field that cannot be copied (a socket, say) stays behind.
    }
  }
  return { name: e.name, message: e.message, fields };
};

/**
 * The error again on this side: the pipeline's own kinds as their classes (the runtime tries a
 * held alert again after its lease), others as errors of the same name and fields (the stores
 * tell a refused condition by its name).
 */
export const errorFrom = (d: ErrorData): Error => {
  const e =
    d.name === 'AlertHeldError'
      ? new AlertHeldError(d.message)
      : d.name === 'AlertPublishError'
        ? new AlertPublishError(d.message)
        : new Error(d.message);
  if (e.name !== d.name) Object.defineProperty(e, 'name', { value: d.name, enumerable: false });
  Object.assign(e, d.fields);
  return e;
};

/** Messages from the runtime to an ingest thread. */
export type ToThread =
  | { type: 'ingest'; id: number; path: string; options: IngestFileOptions }
  | { type: 'answer'; id: number; value?: unknown; error?: ErrorData }
  | { type: 'topics-changed' }
  | { type: 'feeds'; topics: Array<[string, readonly string[] | undefined]> };

/** Messages from an ingest thread to the runtime. */
export type FromThread =
  | { type: 'ingested'; id: number; outcome?: FileResult; error?: ErrorData }
  | { type: 'table'; id: number; command: TableCommandName; input: unknown }
  | { type: 'publish'; id: number; alerts: Alert[] };

/** What an ingest thread is started with. */
export interface ThreadData {
  inbox: string;
  home: string;
  feeds: Array<[string, readonly string[] | undefined]>;
}

/** What the threads use on this one: the table, and the publisher (mail, webhooks, fatigue controls). */
export interface ThreadServices {
  doc: DynamoDBDocumentClient;
  publisher: AlertPublisher;
  /** Each feed's topics, sent to a thread when it starts. */
  feedTopics: () => Array<[string, readonly string[] | undefined]>;
}

interface Job {
  path: string;
  options: IngestFileOptions;
  resolve: (r: FileResult) => void;
  reject: (e: Error) => void;
}

/** A file whose reading stopped the thread it was read on, when no other file was in hand. */
export class IngestThreadCrash extends Error {
  override readonly name = 'IngestThreadCrash';
  readonly path: string;
  constructor(path: string, why: Error) {
    super(`reading the file stopped the thread reading it (${why.message})`);
    this.path = path;
  }
}

/** The young generation of an ingest thread's heap, in MB (V8 sizes it up to 3 × 16 MB otherwise). */
const YOUNG_GENERATION_MB = 8;

/** Marks a thread stopped and takes the files it had in hand; undefined when it was stopped already. */
const takeJobs = (t: IngestThread): Job[] | undefined => {
  if (t.stopped) return undefined;
  t.stopped = true;
  const jobs = [...t.jobs.values()];
  t.jobs.clear();
  return jobs;
};

/** One ingest thread, with the files it has in hand. */
class IngestThread {
  readonly worker: Worker;
  readonly jobs = new Map<number, Job>();
  stopped = false;
  /** Whether the thread has asked this one anything (it was up and reading). */
  asked = false;

  constructor(
    data: ThreadData,
    services: ThreadServices,
    onExit: (t: IngestThread, why: Error) => void,
    script: URL,
  ) {
    this.worker = new Worker(script, {
      workerData: data,
      // A file's garbage dies young: a small young generation collects it as fast and keeps
      // the thread's heap (and the process's memory) far smaller than V8's default would.
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    this.worker.unref();
    const answer = (id: number, work: () => Promise<unknown>) => {
      void work().then(
        (value) => this.post({ type: 'answer', id, value }),
        (e: unknown) => this.post({ type: 'answer', id, error: errorData(e) }),
      );
    };
    this.worker.on('message', (m: FromThread) => {
      if (m.type !== 'ingested') this.asked = true;
      if (m.type === 'table') {
        // Each command takes its own input: the thread sent the input of a command of this name.
        const Command = TABLE_COMMANDS[m.command] as unknown as new (input: unknown) => GetCommand;
        answer(m.id, () => services.doc.send(new Command(m.input)));
      } else if (m.type === 'publish') {
        answer(m.id, () => services.publisher.publish(m.alerts));
      } else {
        const job = this.jobs.get(m.id);
        this.jobs.delete(m.id);
        if (!job) return;
        if (m.error) job.reject(errorFrom(m.error));
        else job.resolve(m.outcome as FileResult);
      }
    });
    // A message that cannot be read leaves its file unanswered: the thread is given up.
    this.worker.on('messageerror', (e: Error) => {
      onExit(this, e);
      void this.worker.terminate();
    });
    this.worker.on('error', (e: Error) => onExit(this, e));
    this.worker.on('exit', (code) =>
      onExit(this, new Error(`the ingest thread stopped (exit code ${code})`)),
    );
  }

  post(m: ToThread): void {
    if (!this.stopped) this.worker.postMessage(m);
  }
}

/**
 * Ingests files on threads of their own, each with the pipeline's core (read, parse, language,
 * story, match, compose): the table stays on this thread, which serves the threads' reads and
 * writes one at a time as it serves its own, so every conditional write means what it means
 * without threads; alerts are published from this thread too. A thread that stops (a reader
 * out of memory, say) has its files read again one at a time, each alone on a thread of its
 * own: the others are ingested, and the one that stops its thread again fails with
 * {@link IngestThreadCrash}, to be refused. The next file starts a new thread.
 */
export class IngestThreads {
  private readonly threads: Array<IngestThread | undefined>;
  private readonly data: Omit<ThreadData, 'feeds'>;
  private readonly services: ThreadServices;
  private readonly script: URL;
  private nextId = 1;
  private closed = false;
  /** Files a stopped thread had in hand, read one after another, each alone. */
  private suspects: Promise<void> = Promise.resolve();
  private alone?: IngestThread;

  /** `script`: the thread's module (another one only in tests). */
  constructor(
    count: number,
    data: Omit<ThreadData, 'feeds'>,
    services: ThreadServices,
    script = new URL('./ingest-worker.ts', import.meta.url),
  ) {
    this.threads = Array.from({ length: Math.max(1, Math.trunc(count)) }, () => undefined);
    this.data = data;
    this.services = services;
    this.script = script;
  }

  get count(): number {
    return this.threads.length;
  }

  /** Ingests a file on the thread with the fewest files in hand. */
  ingest(path: string, options: IngestFileOptions = {}): Promise<FileResult> {
    if (this.closed) return Promise.reject(new Error('the ingest threads are stopped'));
    let best = 0;
    for (let i = 1; i < this.threads.length; i++)
      if ((this.threads[i]?.jobs.size ?? 0) < (this.threads[best]?.jobs.size ?? 0)) best = i;
    const thread = this.threads[best] ?? this.start(best);
    return new Promise<FileResult>((resolve, reject) =>
      this.hand(thread, { path, options, resolve, reject }),
    );
  }

  private hand(thread: IngestThread, job: Job): void {
    const id = this.nextId++;
    thread.jobs.set(id, job);
    thread.post({ type: 'ingest', id, path: job.path, options: job.options });
  }

  /** Reads a file a stopped thread had in hand again, alone on a thread of its own, after the others. */
  private readAlone(job: Job): void {
    // Each is settled by the time its run ends: nothing of a run holds up the next.
    this.suspects = this.suspects.then(() => this.runAlone(job)).catch(() => undefined);
  }

  private async runAlone(job: Job): Promise<void> {
    if (this.closed) return job.reject(new Error('the ingest threads are stopped'));
    const thread = this.newThread((t, why) => {
      // A thread that never got to the file (it could not start) says nothing about it.
      for (const j of takeJobs(t) ?? [])
        j.reject(this.closed || !t.asked ? why : new IngestThreadCrash(j.path, why));
    });
    this.alone = thread;
    try {
      job.resolve(
        await new Promise<FileResult>((resolve, reject) => this.hand(thread, { ...job, resolve, reject })),
      );
    } catch (e) {
      job.reject(e as Error);
    } finally {
      thread.stopped = true;
      if (this.alone === thread) this.alone = undefined;
      await thread.worker.terminate();
    }
  }

  private newThread(onExit: (t: IngestThread, why: Error) => void): IngestThread {
    return new IngestThread(
      { ...this.data, feeds: this.services.feedTopics() },
      this.services,
      onExit,
      this.script,
    );
  }

  /** Tells the threads the topic set may have changed, so their next file reads its version. */
  topicsChanged(): void {
    for (const t of this.threads) t?.post({ type: 'topics-changed' });
  }

  /** Tells the threads each feed's topics. */
  feedsChanged(): void {
    const topics = this.services.feedTopics();
    for (const t of this.threads) t?.post({ type: 'feeds', topics });
  }

  /** Stops the threads (files in hand fail; the runtime waits for its files before it closes). */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.threads, this.alone];
    this.threads.fill(undefined);
    await Promise.all(running.map(async (t) => t?.worker.terminate()));
  }

  private start(slot: number): IngestThread {
    const thread = this.newThread((t, why) => {
      const jobs = takeJobs(t);
      if (!jobs) return;
      if (this.threads[slot] === t) this.threads[slot] = undefined;
      for (const job of jobs) {
        if (this.closed) job.reject(why);
        else this.readAlone(job);
      }
    });
    this.threads[slot] = thread;
    return thread;
  }
}
