// 20 kills of the crash run (crash_run.mjs) inside ./scripts/test, so that CI keeps it honest;
// ./scripts/crash runs 200. CRASH_SEED replays a failure's seed.
import { test } from 'node:test';
import { crashRun } from './crash_run.mjs';

test('20 kills at random moments of the whole flow: nothing lost, nothing doubled', { timeout: 600_000 }, async () => {
  const seed = process.env.CRASH_SEED === undefined ? undefined : Number(process.env.CRASH_SEED);
  await crashRun({ kills: Number(process.env.CRASH_KILLS ?? 20), seed, name: 'crash' });
});
