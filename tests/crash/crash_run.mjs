// The crash run: a server with a CA and two operators, clinics going through their whole life one
// after another (flow.mjs) while the Crasher kills `onshi serve` `kills` times, checking every
// invariant after each kill (invariants.mjs), then every committed mail delivered. Throws the first
// failure with the seed, which replays the same choices: kills=N seed=S in ./scripts/crash.
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { stopServer, strongPassword } from '../support/harness.mjs';
import { startServerWithCa, createOperator } from '../support/back_office.mjs';
import { Crasher } from './crasher.mjs';
import { invariantChecker, everyMailDelivered } from './invariants.mjs';
import { ClinicFlow } from './flow.mjs';

export async function crashRun({ kills, seed = crypto.randomInt(2 ** 31), name = 'crash', log = console.log }) {
  log(`crash run: ${kills} kills, seed ${seed}`);
  // Revocations on the CRLs within 2 s (pki.crl_revocation_delay_seconds), which the checks wait for.
  const { srv } = await startServerWithCa({
    name, passphrase: 'Crash-at-any-point-CA-passphrase-2026', env: { ONSHI_CRL_REVOCATION_DELAY_SECONDS: '2' },
  });
  const started = Date.now();
  try {
    for (const [login, role] of [['rev1', 'reviewer'], ['iss1', 'issuer']]) {
      await createOperator(srv, { login, name: `${login} 担当`, role, password: 'operator passphrase for the crash run 2026' });
    }
    const work = path.join(srv.logDir, 'files');
    await fsp.mkdir(work, { recursive: true });
    const handedOut = {};
    const check = invariantChecker({ srv, handedOut });
    const crasher = new Crasher({ srv, seed, kills, check, log });
    let round = 0;
    try {
      while (!crasher.done) {
        round += 1;
        await new ClinicFlow({ crasher, srv, work, round, handedOut }).run();
        log(`clinic ${round} done (${crasher.kills} kills so far)`);
      }
      await crasher.settled();
    } catch (e) {
      await crasher.settled().catch(() => {});
      const first = crasher.failure ?? e;
      first.message = `seed ${seed}, after ${crasher.kills} kills, clinic ${round}: ${first.message}`;
      throw first;
    }
    const mails = await everyMailDelivered(srv);
    await check('down');
    await check('up');
    const summary = { seed, kills: crasher.kills, clinics: round, ...mails, seconds: Math.round((Date.now() - started) / 1000) };
    log(`crash run passed: ${JSON.stringify(summary)}`);
    return summary;
  } finally {
    await stopServer(srv);
  }
}

// node tests/crash/crash_run.mjs KILLS [SEED]
if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const kills = Number(process.argv[2] ?? 200);
  const seed = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  crashRun({ kills, seed }).then(() => process.exit(0), (e) => {
    console.error(e.stack ?? e);
    process.exit(1);
  });
}
