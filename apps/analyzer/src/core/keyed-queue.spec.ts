import { KeyedQueue } from './keyed-queue';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('KeyedQueue', () => {
  it('runs the tasks of one key one at a time, in order, and other keys alongside', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (name: string) => async () => {
      running++;
      most = Math.max(most, running);
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      running--;
      return name;
    };
    const other = queue.run('b', async () => {
      log.push('b1 start');
      await tick();
      return 'b1';
    });
    const results = await Promise.all([queue.run('a', task('a1')), queue.run('a', task('a2')), queue.run('a', task('a3')), other]);
    expect(results).toEqual(['a1', 'a2', 'a3', 'b1']);
    expect(log.filter((l) => l.startsWith('a'))).toEqual(['a1 start', 'a1 end', 'a2 start', 'a2 end', 'a3 start', 'a3 end']);
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
    expect(most).toBe(1);
    expect(queue.size).toBe(0);
  });

  it('goes on with the next task after one fails, and hands the failure to its caller', async () => {
    const queue = new KeyedQueue();
    const failed = queue.run('a', async () => {
      throw new Error('boom');
    });
    const next = queue.run('a', async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});
