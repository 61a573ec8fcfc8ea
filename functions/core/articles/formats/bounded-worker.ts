/**
 * A library's work on one untrusted file, in a worker process with ceilings: its JavaScript
 * heap and stack (V8's own limits, given on its command line), the growth of its resident
 * memory while the job runs (buffers live outside the heap, where its limit does not reach),
 * and a wall-clock deadline. A worker that passes one is ended and the job answers why, as a
 * value; the process that asked goes on. One worker serves one job at a time and is kept for
 * the next (starting one and loading its library costs more than most jobs), until it has
 * served `maxJobs` or been ended.
 *
 * A process, not a worker thread: a thread's heap limit is best-effort, and some allocations
 * that pass it (one long string, one large array) abort the whole process the thread is in
 * (nodejs/node#47224). A worker process that aborts takes only itself down.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The ceilings on one job. */
export interface WorkerLimits {
  /** The worker's old-generation heap (`--max-old-space-size`), MiB. */
  maxOldSpaceMb: number;
  /** Each of the worker's two young-generation semi-spaces (`--max-semi-space-size`), MiB. */
  maxSemiSpaceMb: number;
  /** The worker's JavaScript stack (`--stack-size`), KiB; under the 8 MiB a process's thread has. */
  stackSizeKb: number;
  /** Most the worker's resident memory may grow while one job runs, MiB. */
  maxMemoryGrowthMb: number;
  /** Longest one job may take, ms, from the moment the worker is up. */
  deadlineMs: number;
}

/** Why a job has no answer. */
export type WorkerFailure =
  | { reason: 'memory'; message: string }
  | { reason: 'deadline'; message: string }
  | { reason: 'crashed'; message: string };

/** A job's answer, or why there is none. */
export type WorkerOutcome<R> = { ok: true; value: R } | ({ ok: false } & WorkerFailure);

/** The worker could not be started (its file or its library is missing): not the file's fault. */
export class WorkerStartError extends Error {
  override name = 'WorkerStartError';
}

/** What a worker posts once its imports are loaded, before any job. */
const WORKER_READY = 'ready';

/** Longest a new worker may take to load its imports, ms. */
const START_MS = 10_000;

/** How often the worker's memory is looked at while a job runs, ms. */
const MEMORY_CHECK_MS = 20;

/** What V8 writes when a heap limit is reached. */
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit|Allocation failed/i;

/** The worker's resident memory in bytes, where the system tells it (Linux); undefined elsewhere. */
const residentBytes = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]);
    return Number.isFinite(pages) ? pages * 4096 : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Serves jobs in a worker's entry file: each message is a job, answered with what `handle`
 * gives. Call once, after the imports the jobs need; the worker is then ready.
 */
export const serveJobs = <Job, Reply>(handle: (job: Job) => Promise<Reply>): void => {
  const send = process.send?.bind(process);
  if (!send) return;
  process.on('message', (job: Job) => {
    void handle(job).then((reply) => send(reply));
  });
  // The process that started this one has gone: so does this one.
  process.on('disconnect', () => process.exit(0));
  send(WORKER_READY);
};

/** One kept worker process, started on its first job. */
export class BoundedWorker<Job, Reply> {
  private readonly entry: URL;
  private readonly limits: WorkerLimits;
  private readonly maxJobs: number;
  #worker: ChildProcess | undefined;
  #ready = false;
  #served = 0;
  /** The end of what the worker wrote to stderr: why it stopped, when it did. */
  #stderr = '';
  #queue: Promise<unknown> = Promise.resolve();

  constructor(entry: URL, limits: WorkerLimits, maxJobs = 1000) {
    this.entry = entry;
    this.limits = limits;
    this.maxJobs = maxJobs;
  }

  /**
   * Runs one job after those already asked for. Throws {@link WorkerStartError} only when the
   * worker cannot start at all; everything the job does is an outcome.
   */
  run(job: Job): Promise<WorkerOutcome<Reply>> {
    const result = this.#queue.then(() => this.#runNow(job));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Ends the kept worker, if any (tests, and a runtime shutting down). */
  close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker || worker.exitCode !== null || worker.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      worker.once('exit', () => resolve());
      // Held until it has gone, so this process waits to see it go.
      this.#hold(worker, true);
      worker.kill('SIGKILL');
    });
  }

  #start(): ChildProcess {
    const { maxOldSpaceMb, maxSemiSpaceMb, stackSizeKb } = this.limits;
    const worker = fork(fileURLToPath(this.entry), [], {
      execArgv: [
        `--max-old-space-size=${maxOldSpaceMb}`,
        `--max-semi-space-size=${maxSemiSpaceMb}`,
        `--stack-size=${stackSizeKb}`,
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#stderr = '';
    worker.stderr?.setEncoding('utf8');
    worker.stderr?.on('data', (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-4096);
    });
    // Between jobs nothing listens; a worker that ends then is simply started again.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (this.#worker === worker) this.#worker = undefined;
    });
    this.#worker = worker;
    this.#ready = false;
    this.#served = 0;
    return worker;
  }

  #hold(worker: ChildProcess, held: boolean) {
    // A worker between jobs does not keep this process running; its pipe to stderr is a socket.
    const handles = [worker, worker.channel, worker.stderr as Socket | null];
    for (const h of handles)
      if (held) h?.ref();
      else h?.unref();
  }

  #runNow(job: Job): Promise<WorkerOutcome<Reply>> {
    const worker = this.#worker ?? this.#start();
    this.#served++;
    this.#hold(worker, true);
    let baseline = residentBytes(worker.pid);
    return new Promise((resolve, reject) => {
      const settle = (outcome: WorkerOutcome<Reply> | Error, end: boolean) => {
        clearTimeout(deadline);
        clearInterval(watch);
        worker.off('message', onMessage);
        worker.off('close', onExit);
        if (end || this.#served >= this.maxJobs) {
          if (this.#worker === worker) this.#worker = undefined;
          worker.kill('SIGKILL');
        } else this.#hold(worker, false);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const fail = (failure: WorkerFailure) => settle({ ok: false, ...failure }, true);
      const arm = () =>
        setTimeout(
          () => fail({ reason: 'deadline', message: `${this.limits.deadlineMs} ms` }),
          this.limits.deadlineMs,
        );
      const onMessage = (message: unknown) => {
        if (message === WORKER_READY) {
          // The job's time and memory count from when the worker is up: starting one is not its doing.
          this.#ready = true;
          baseline = residentBytes(worker.pid);
          clearTimeout(deadline);
          deadline = arm();
          return;
        }
        settle({ ok: true, value: message as Reply }, false);
      };
      const onExit = (code: number | null, signal: string | null) => {
        const how = signal ?? `exit code ${code}`;
        const why = this.#stderr.split('\n').find((l) => l.trim() !== '') ?? '';
        if (OUT_OF_MEMORY.test(this.#stderr))
          fail({ reason: 'memory', message: `the heap limit of ${this.limits.maxOldSpaceMb} MiB` });
        else if (!this.#ready)
          settle(
            new WorkerStartError(`the worker ${this.entry.pathname} did not start (${how}): ${why}`),
            true,
          );
        else fail({ reason: 'crashed', message: `the worker stopped (${how})` });
      };
      let deadline = this.#ready
        ? arm()
        : setTimeout(
            () =>
              settle(
                new WorkerStartError(`the worker ${this.entry.pathname} did not start within ${START_MS} ms`),
                true,
              ),
            START_MS,
          );
      const watch = setInterval(() => {
        const now = residentBytes(worker.pid);
        if (now === undefined || baseline === undefined) return;
        if ((now - baseline) / 1024 / 1024 > this.limits.maxMemoryGrowthMb)
          fail({ reason: 'memory', message: `over ${this.limits.maxMemoryGrowthMb} MiB of memory` });
      }, MEMORY_CHECK_MS);
      worker.on('message', onMessage);
      // `close`, not `exit`: by then all it wrote to stderr has been read.
      worker.on('close', onExit);
      worker.send(job as Parameters<ChildProcess['send']>[0]);
    });
  }
}
