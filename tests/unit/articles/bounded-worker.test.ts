import { afterEach, describe, expect, it } from 'vitest';
import {
  BoundedWorker,
  type WorkerLimits,
  WorkerStartError,
} from '../../../functions/core/articles/formats/bounded-worker.ts';
import type { Task, TaskReply } from '../../fixtures/workers/task-worker.ts';

const ENTRY = new URL('../../fixtures/workers/task-worker.ts', import.meta.url);
const LIMITS: WorkerLimits = {
  maxOldSpaceMb: 16,
  maxSemiSpaceMb: 1,
  stackSizeKb: 984,
  maxMemoryGrowthMb: 512,
  deadlineMs: 5_000,
};
type Reply = TaskReply;

describe('Class: BoundedWorker', () => {
  const workers: Array<BoundedWorker<Task, Reply>> = [];
  const worker = (limits: Partial<WorkerLimits> = {}, maxJobs?: number) => {
    const w = new BoundedWorker<Task, Reply>(ENTRY, { ...LIMITS, ...limits }, maxJobs);
    workers.push(w);
    return w;
  };
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
  });

  it('should answer jobs one after another from one kept worker', async () => {
    // Prepare
    const w = worker();

    // Act
    const [a, b] = await Promise.all([w.run({ do: 'echo', value: 'a' }), w.run({ do: 'echo', value: 'b' })]);

    // Assess
    expect(a).toMatchObject({ ok: true, value: { value: 'a' } });
    expect(b).toMatchObject({ ok: true, value: { value: 'b' } });
    expect(a.ok && b.ok && a.value.pid === b.value.pid).toBe(true);
  });

  it('should end a job past its deadline, and answer the next from a new worker', async () => {
    // Prepare
    const w = worker({ deadlineMs: 300 });
    const first = await w.run({ do: 'echo', value: 'before' });

    // Act
    const spun = await w.run({ do: 'spin' });
    const after = await w.run({ do: 'echo', value: 'after' });

    // Assess
    expect(spun).toEqual({ ok: false, reason: 'deadline', message: '300 ms' });
    expect(after).toMatchObject({ ok: true, value: { value: 'after' } });
    expect(first.ok && after.ok && first.value.pid !== after.value.pid).toBe(true);
  });

  it('should end a job that fills its heap, as a memory failure', async () => {
    // Act
    const filled = await worker().run({ do: 'fill-heap' });

    // Assess
    expect(filled).toMatchObject({ ok: false, reason: 'memory' });
    expect(!filled.ok && filled.message).toContain('heap limit of 16 MiB');
  }, 10_000);

  it('should end a job that makes one string past the heap limit, which would abort a worker thread', async () => {
    // Prepare
    const w = worker();

    // Act
    const filled = await w.run({ do: 'long-string' });
    const after = await w.run({ do: 'echo', value: 'after' });

    // Assess: this process is still here to see it.
    expect(filled).toMatchObject({ ok: false, reason: 'memory' });
    expect(after).toMatchObject({ ok: true, value: { value: 'after' } });
  }, 10_000);

  it('should end a job whose buffers grow the worker past the memory limit', async () => {
    // Act: 64 MiB of buffers, which no heap limit counts, against a 32 MiB ceiling.
    const filled = await worker({ maxMemoryGrowthMb: 32 }).run({ do: 'fill-buffers', mb: 64 });

    // Assess
    expect(filled).toEqual({ ok: false, reason: 'memory', message: 'over 32 MiB of memory' });
  });

  it('should answer a worker that ends itself during a job as a crash', async () => {
    // Prepare
    const w = worker();

    // Act
    const ended = await w.run({ do: 'exit' });
    const after = await w.run({ do: 'echo', value: 'after' });

    // Assess
    expect(ended).toMatchObject({
      ok: false,
      reason: 'crashed',
      message: 'the worker stopped (exit code 3)',
    });
    expect(after).toMatchObject({ ok: true });
  });

  it('should start a new worker after the most jobs one may serve', async () => {
    // Prepare
    const w = worker({}, 1);

    // Act
    const a = await w.run({ do: 'echo', value: 'a' });
    const b = await w.run({ do: 'echo', value: 'b' });

    // Assess
    expect(a.ok && b.ok && a.value.pid !== b.value.pid).toBe(true);
  });

  it('should throw when the worker cannot start, since no file is to blame', async () => {
    // Prepare
    const missing = new BoundedWorker<Task, Reply>(new URL('./no-such-worker.ts', import.meta.url), LIMITS);

    // Act + Assess
    await expect(missing.run({ do: 'echo', value: 'a' })).rejects.toThrow(WorkerStartError);
  });
});
