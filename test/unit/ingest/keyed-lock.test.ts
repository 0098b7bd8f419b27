import { describe, expect, it } from 'vitest';
import { createKeyedLock } from '../../../src/ingest/keyed-lock.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('keyed lock', () => {
  it('runs work for the same key in arrival order, other keys in parallel, and survives a failure', async () => {
    const lock = createKeyedLock();
    const order: string[] = [];
    const gate = deferred();
    const first = lock(['a'], async () => { await gate.promise; order.push('a1'); });
    const failing = lock(['a'], async () => { order.push('a2'); throw new Error('boom'); });
    const third = lock(['a'], async () => { order.push('a3'); });
    const other = lock(['b'], async () => { order.push('b1'); });
    await other;
    expect(order).toEqual(['b1']);
    gate.resolve();
    await first;
    await expect(failing).rejects.toThrow('boom');
    await third;
    expect(order).toEqual(['b1', 'a1', 'a2', 'a3']);
  });

  it('holds every key of a multi-key call', async () => {
    const lock = createKeyedLock();
    const order: string[] = [];
    const gate = deferred();
    const both = lock(['user', 'thread'], async () => { await gate.promise; order.push('both'); });
    const thread = lock(['thread'], async () => { order.push('thread'); });
    gate.resolve();
    await Promise.all([both, thread]);
    expect(order).toEqual(['both', 'thread']);
  });
});
