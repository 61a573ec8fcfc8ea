/**
 * A library's work on one untrusted file, in a worker thread with ceilings: its JavaScript heap
 * and stack (the worker's resource limits), the growth of the process's memory while the job
 * runs (buffers live outside the heap, where its limit does not reach), and a wall-clock
 * deadline. A worker that passes one is ended and the job answers why, as a value; the
 * process that asked goes on. One worker serves one job at a time and is kept for the next
 * (starting one and loading its library costs more than most jobs), until it has served
 * `maxJobs` or been ended.
 */
import { Worker } from 'node:worker_threads';

/** The ceilings on one job. */
export interface WorkerLimits {
  /** The worker's old-generation heap, MiB. */
  maxOldGenerationSizeMb: number;
  /** The worker's young-generation heap, MiB. */
  maxYoungGenerationSizeMb: number;
  /** The worker's stack, MiB. */
  stackSizeMb: number;
  /** Most the process's resident memory may grow while one job runs, MiB. */
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

/** What a worker entry posts once its imports are loaded, before any job. */
export const WORKER_READY = 'ready';

/** Longest a new worker may take to load its imports, ms. */
const START_MS = 10_000;

/** How often the process's memory is looked at while a job runs, ms. */
const MEMORY_CHECK_MS = 20;

/** One kept worker, started on its first job. */
export class BoundedWorker<Job, Reply> {
  #worker: Worker | undefined;
  #ready = false;
  #served = 0;
  #queue: Promise<unknown> = Promise.resolve();

  private readonly entry: URL;
  private readonly limits: WorkerLimits;
  private readonly maxJobs: number;

  constructor(entry: URL, limits: WorkerLimits, maxJobs = 100) {
    this.entry = entry;
    this.limits = limits;
    this.maxJobs = maxJobs;
  }

  /**
   * Runs one job after those already asked for. Throws {@link WorkerStartError} only when the
   * worker cannot start at all; everything the job does is an outcome.
   */
  run(job: Job, transfer: ArrayBuffer[] = []): Promise<WorkerOutcome<Reply>> {
    const result = this.#queue.then(() => this.#runNow(job, transfer));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Ends the kept worker, if any (tests, and a runtime shutting down). */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #start(): Worker {
    const { maxOldGenerationSizeMb, maxYoungGenerationSizeMb, stackSizeMb } = this.limits;
    const worker = new Worker(this.entry, {
      resourceLimits: { maxOldGenerationSizeMb, maxYoungGenerationSizeMb, stackSizeMb },
      stdout: false,
      stderr: false,
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

  #runNow(job: Job, transfer: ArrayBuffer[]): Promise<WorkerOutcome<Reply>> {
    const worker = this.#worker ?? this.#start();
    this.#served++;
    worker.ref();
    let baseline = process.memoryUsage.rss();
    return new Promise((resolve, reject) => {
      const settle = (outcome: WorkerOutcome<Reply> | Error, end: boolean) => {
        clearTimeout(deadline);
        clearInterval(watch);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (end || this.#served >= this.maxJobs) {
          if (this.#worker === worker) this.#worker = undefined;
          void worker.terminate();
        } else worker.unref();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const fail = (failure: WorkerFailure) => settle({ ok: false, ...failure }, true);
      const onMessage = (message: unknown) => {
        if (message === WORKER_READY) {
          // The job's time and memory count from when the worker is up: starting one is not its doing.
          this.#ready = true;
          baseline = process.memoryUsage.rss();
          clearTimeout(deadline);
          deadline = arm();
          return;
        }
        settle({ ok: true, value: message as Reply }, false);
      };
      const onError = (error: Error & { code?: string }) => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY')
          fail({ reason: 'memory', message: `the heap limit of ${this.limits.maxOldGenerationSizeMb} MiB` });
        else if (!this.#ready)
          settle(
            new WorkerStartError(`the worker ${this.entry.pathname} did not start: ${error.message}`),
            true,
          );
        else fail({ reason: 'crashed', message: error.message });
      };
      const onExit = (code: number) =>
        this.#ready
          ? fail({ reason: 'crashed', message: `the worker stopped (exit code ${code})` })
          : settle(new WorkerStartError(`the worker ${this.entry.pathname} stopped before starting`), true);
      const arm = () =>
        setTimeout(
          () => fail({ reason: 'deadline', message: `${this.limits.deadlineMs} ms` }),
          this.limits.deadlineMs,
        );
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
        const grown = (process.memoryUsage.rss() - baseline) / 1024 / 1024;
        if (grown > this.limits.maxMemoryGrowthMb)
          fail({ reason: 'memory', message: `over ${this.limits.maxMemoryGrowthMb} MiB of memory` });
      }, MEMORY_CHECK_MS);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(job, transfer);
    });
  }
}
