// What must hold after every crash (docs/testing.md, crash at any point): with the server down, the audit chain
// verifies and records every state change once; nothing the flow did once is there twice; every
// mail sent reached the sink under the Message-ID it was committed with; every certificate handed
// out is in the database. With the server up again, the CRL and OCSP agree with the database.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { runOnshi, sleep, sqlHex, sqlRows } from '../support/harness.mjs';

const exec = promisify(execFile);

/** Rows of `sql` whose existence is a failure: each query names what it found. */
const MUST_BE_EMPTY = {
  'a usage application twice': `SELECT institution_id, count(*) AS n FROM usage_applications
    GROUP BY institution_id HAVING count(*) > 1`,
  'a certificate application twice': `SELECT institution_id, kind, count(*) AS n FROM certificate_applications
    GROUP BY institution_id, kind HAVING count(*) > 1`,
  'an application with some of its certificates': `SELECT a.number, a.certificates,
    (SELECT count(*) FROM certificates c WHERE c.application_id = a.id) AS issued
    FROM certificate_applications a
    WHERE (SELECT count(*) FROM certificates c WHERE c.application_id = a.id) NOT IN (0, a.certificates)`,
  'an issued application without certificates': `SELECT number, status FROM certificate_applications a
    WHERE status = 'issued' AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.application_id = a.id)`,
  'a certificate without its charge': `SELECT c.issuance_number, c.generation FROM certificates c
    WHERE NOT EXISTS (SELECT 1 FROM charges ch WHERE ch.certificate_id = c.id)`,
  'a mail queued twice': `SELECT recipient, subject, count(*) AS n FROM outbox
    GROUP BY recipient, subject, body HAVING count(*) > 1`,
  'two current certificates of one terminal': `SELECT issuance_number, count(*) AS n FROM certificates
    WHERE replaced_at IS NULL AND status <> 'revoked' GROUP BY issuance_number HAVING count(*) > 1`,
};

/** Pairs of counts that must be equal: the rows and the audit entries that record them. */
const MUST_BE_EQUAL = {
  'usage applications and their audit entries': [
    'SELECT count(*) AS n FROM usage_applications',
    "SELECT count(*) AS n FROM audit_log WHERE action = 'usage_application.finalize'"],
  'certificate applications and their audit entries': [
    'SELECT count(*) AS n FROM certificate_applications',
    "SELECT count(*) AS n FROM audit_log WHERE action = 'certificate_application.apply'"],
  'certificates and their audit entries': [
    'SELECT count(*) AS n FROM certificates',
    "SELECT count(*) AS n FROM audit_log WHERE action IN ('certificate.issue', 'certificate.renew')"],
  'downloads and their audit entries': [
    'SELECT count(*) AS n FROM certificate_downloads',
    "SELECT count(*) AS n FROM audit_log WHERE action = 'certificate.download'"],
  'approved applications and their audit entries': [
    "SELECT count(*) AS n FROM certificate_applications WHERE status IN ('approved', 'issued', 'notice_sent')",
    "SELECT count(*) AS n FROM audit_log WHERE action IN ('application.approve', 'application.auto_approve')"],
  'revoked certificates and their audit entries': [
    "SELECT count(*) AS n FROM certificates WHERE status = 'revoked'",
    "SELECT count(*) AS n FROM audit_log WHERE action IN ('certificate.revoke', 'certificate.supersede', 'certificate.pickup_lapsed')"],
  'mailed letters and their audit entries': [
    'SELECT (SELECT count(*) FROM notice_letters WHERE tracking_number IS NOT NULL) + (SELECT count(*) FROM notice_letter_mailings) AS n',
    "SELECT count(*) AS n FROM audit_log WHERE action = 'letter.mailed'"],
};

async function count(srv, sql) {
  return Number((await sqlRows(srv, sql))[0].n);
}

/**
 * The checks of one crash. `handedOut`: what the flow was given, { serial: der hex } of each
 * certificate downloaded, which must be in the database as it was given.
 */
export function invariantChecker({ srv, handedOut }) {
  const caDir = path.join(srv.dataDir, 'ca');
  const checkDown = async () => {
    const verify = await runOnshi(srv, ['audit', 'verify']);
    assert.equal(verify.code, 0, `onshi audit verify -> ${verify.code}: ${verify.stdout}${verify.stderr}`);
    for (const [what, sql] of Object.entries(MUST_BE_EMPTY)) {
      const rows = await sqlRows(srv, sql);
      assert.deepEqual(rows, [], `${what}: ${JSON.stringify(rows)}`);
    }
    for (const [what, [left, right]] of Object.entries(MUST_BE_EQUAL)) {
      const [a, b] = [await count(srv, left), await count(srv, right)];
      assert.equal(a, b, `${what}: ${a} and ${b}`);
    }
    // Mail: what the sink holds was committed, under that Message-ID; what is marked sent is there.
    const outbox = await sqlRows(srv, 'SELECT id, message_id, sent_at FROM outbox');
    const committed = new Map(outbox.map((m) => [m.message_id.replace(/^<|>$/g, ''), m]));
    const received = new Set();
    for (const mail of await srv.smtp.mails()) {
      const id = (mail.headers['message-id'] ?? '').trim().replace(/^<|>$/g, '');
      assert.ok(committed.has(id), `a mail in the sink that no outbox row holds: ${id} ${mail.subject}`);
      received.add(id);
    }
    for (const [id, row] of committed) {
      if (row.sent_at !== null) assert.ok(received.has(id), `outbox ${row.id} marked sent but not received: ${id}`);
    }
    // Every certificate handed out is in the database, byte for byte.
    const serials = Object.keys(handedOut);
    if (serials.length) {
      const rows = await sqlRows(srv, `SELECT ltrim(lower(serial_hex), '0') AS serial, ${sqlHex('der')} AS der FROM certificates
        WHERE ltrim(lower(serial_hex), '0') IN (${serials.map((s) => `'${s}'`).join(', ')})`);
      const stored = new Map(rows.map((r) => [r.serial, r.der]));
      for (const [serial, der] of Object.entries(handedOut)) {
        assert.equal(stored.get(serial), der, `certificate ${serial}, handed out, as the database holds it`);
      }
    }
  };

  // With the server up: its CRL never lists a certificate the database does not hold revoked, and
  // soon lists each one it does; OCSP answers each revoked one revoked and the others good.
  const checkUp = async () => {
    const certs = await sqlRows(srv, "SELECT ltrim(lower(serial_hex), '0') AS serial, status FROM certificates");
    const revoked = new Set(certs.filter((c) => c.status === 'revoked').map((c) => c.serial));
    const file = path.join(srv.logDir, 'check.crl');
    let listed = new Set();
    for (const start = Date.now(); ; await sleep(200)) {
      const res = await fetch(`${srv.baseUrl}/pki/crl/issuing.crl`);
      assert.equal(res.status, 200, 'the CRL is served');
      await fsp.writeFile(file, Buffer.from(await res.arrayBuffer()));
      const { stdout } = await exec('openssl', ['crl', '-inform', 'DER', '-in', file, '-noout', '-text']);
      listed = new Set([...stdout.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1].toLowerCase().replace(/^0+/, '')));
      for (const s of listed) assert.ok(revoked.has(s), `the CRL lists ${s}, which the database holds ${certs.find((c) => c.serial === s)?.status}`);
      if ([...revoked].every((s) => listed.has(s))) break;
      assert.ok(Date.now() - start < 10000, `the CRL lists ${listed.size} of ${revoked.size} revoked within 10 s`);
    }
    // The revoked ones and the newest few others: one openssl run per certificate.
    const asked = [...certs.filter((c) => c.status === 'revoked'), ...certs.filter((c) => c.status !== 'revoked').slice(-3)];
    for (const c of asked) {
      const args = ['ocsp', '-url', `${srv.baseUrl}/pki/ocsp`, '-issuer', path.join(caDir, 'issuing.crt'),
        '-CAfile', path.join(caDir, 'root.crt'), '-serial', `0x${c.serial}`, '-no_nonce'];
      const want = c.status === 'revoked' ? 'revoked' : 'good';
      let said = '';
      for (const start = Date.now(); Date.now() - start < 10000; await sleep(200)) {
        const { stdout } = await exec('openssl', args).catch((e) => ({ stdout: `${e.stdout}${e.stderr}` }));
        said = /^0x[0-9a-f]+: (\w+)/m.exec(stdout)?.[1] ?? stdout;
        if (said === want) break;
      }
      assert.equal(said, want, `OCSP of ${c.serial} (${c.status} in the database)`);
    }
  };

  return (phase) => (phase === 'down' ? checkDown() : checkUp());
}

/**
 * At the end, with the server up: every committed mail is sent and in the sink (at least once:
 * a crash between the SMTP answer and the mark may send one twice, under its one Message-ID).
 * A mail claimed by a server killed while sending waits out its lease (two minutes,
 * outbox_worker.cpp) before another try: the wait allows for that.
 */
export async function everyMailDelivered(srv, timeoutMs = 180000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = await count(srv, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
    if (waiting === 0) break;
    assert.ok(Date.now() < deadline, `${waiting} mails still unsent after ${timeoutMs} ms`);
    await sleep(250);
  }
  const ids = new Map();
  for (const mail of await srv.smtp.mails()) {
    const id = (mail.headers['message-id'] ?? '').trim().replace(/^<|>$/g, '');
    ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  const outbox = await sqlRows(srv, 'SELECT message_id FROM outbox');
  for (const { message_id: id } of outbox) assert.ok(ids.has(id.replace(/^<|>$/g, '')), `mail ${id} never reached the sink`);
  return { committed: outbox.length, received: [...ids.values()].reduce((a, b) => a + b, 0) };
}
