// One clinic's life, as its staff, the operators and its vendor go through it, every write of it
// open to a kill (crasher.mjs): register and verify by mail, log in, the usage application, the
// certificate application for two terminals, 承認 and 発行, the notice letters printed and sent by
// 書留, the first terminal's PKCS#12 picked up, the second one revoked, the first one renewed
// (approved and issued). Each step that a kill interrupted is done again as a person would: the
// same form sent again, the same command run again after looking whether it had done its work.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  csrfToken, freshEmail, freshInstitutionCode, inputValue, jstDate, linkFromBody,
  pageText, sqlExec, sqlRows, strongPassword, finalizeUsageApplication, SUBJECT_VERIFY,
} from '../support/harness.mjs';
import { applyForCertificates, applyForRenewal } from '../support/back_office.mjs';
import { ResilientClient } from './crasher.mjs';

const exec = promisify(execFile);
const PICKUP_CODE_RE = /\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/;
const DAY_MS = 86_400_000;

async function one(srv, sql) {
  return (await sqlRows(srv, sql))[0];
}

/** The 取得コード of each 発行番号 in a letter batch's PDF, or {} for a PDF a kill cut short. */
async function codesIn(file) {
  const text = await exec('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])
    .then((r) => r.stdout).catch(() => '');
  const codes = {};
  for (const m of text.matchAll(/\bC-\d{8}-\d{2}\b/g)) {
    if (codes[m[0]]) continue;
    const code = PICKUP_CODE_RE.exec(text.slice(m.index))?.[0];
    if (code) codes[m[0]] = code;
  }
  return codes;
}

export class ClinicFlow {
  constructor({ crasher, srv, work, round, handedOut }) {
    Object.assign(this, { crasher, srv, work, round, handedOut });
    this.c = new ResilientClient(crasher);
    this.acct = {
      email: freshEmail(`crash${round}`), password: strongPassword(`crash${round}`),
      institutionCode: freshInstitutionCode('131'), institutionName: `医療法人クラッシュ会 第${round}診療所`,
    };
  }

  async run() {
    await this.register();
    await this.login();
    await finalizeUsageApplication(this.c, { terminals: '2' });
    this.app = await applyForCertificates({ acct: this.acct, c: this.c }, 2);
    this.numbers = [`${this.app}-01`, `${this.app}-02`];
    await this.approveAndIssue(this.app);
    await this.printLetters();
    await this.recordMailing();
    await this.pickUp(this.numbers[0]);
    await this.revoke(this.numbers[1]);
    const renewal = await this.renew(this.numbers[0]);
    await this.approveAndIssue(renewal);
  }

  async register() {
    const form = await this.c.get('/register');
    const r = await this.c.post('/register', {
      csrf_token: csrfToken(form.text), email: this.acct.email, password: this.acct.password,
      password_confirm: this.acct.password, institution_code: this.acct.institutionCode,
      institution_name: this.acct.institutionName,
    });
    // A second POST of a registration that was committed answers as for an address taken.
    assert.ok(r.status === 200 || r.status === 422, `register -> ${r.status}: ${pageText(r.text).slice(0, 300)}`);
    const mail = await this.srv.waitForMail({ to: this.acct.email, subjectIncludes: SUBJECT_VERIFY, timeoutMs: 60000 });
    const token = new URL(linkFromBody(mail.body, `${this.srv.publicBaseUrl}/verify?token=`)).searchParams.get('token');
    const page = await this.c.get(`/verify?token=${encodeURIComponent(token)}`);
    await this.c.post('/verify', { token, csrf_token: csrfToken(page.text) });
  }

  async login() {
    const form = await this.c.get('/login');
    const r = await this.c.post('/login', { csrf_token: csrfToken(form.text), email: this.acct.email, password: this.acct.password });
    assert.equal(r.status, 303, `login ${this.acct.email}: ${pageText(r.text).slice(0, 300)}`);
  }

  async status(number) {
    return (await one(this.srv, `SELECT status FROM certificate_applications WHERE number = '${number}'`)).status;
  }

  async approveAndIssue(number) {
    const approved = async () => (await this.status(number)) !== 'applied';
    if (!await approved()) {
      await this.crasher.command(['admin', 'applications', 'approve', number, '--operator', 'rev1'], { isDone: approved });
    }
    const issued = async () => ['issued', 'notice_sent'].includes(await this.status(number));
    await this.crasher.command(['admin', 'applications', 'issue', number, '--operator', 'iss1'], { isDone: issued });
    assert.ok(await issued(), `${number} issued`);
  }

  // The PDF is synced before the transaction that marks the letters commits: the codes are in the
  // newest batch that has them (a batch a kill cut short before its commit is printed again).
  async printLetters() {
    this.codes = {};
    for (let attempt = 1; !this.numbers.every((n) => this.codes[n]); attempt += 1) {
      assert.ok(attempt < 20, `the letters of ${this.app} printed within 20 tries`);
      const file = path.join(this.work, `letters-${this.round}-${attempt}.pdf`);
      await this.crasher.settled();
      this.crasher.operation('onshi admin letters render');
      const r = await this.crasher.run(['admin', 'letters', 'render', '--operator', 'iss1', '--out', file,
        '--number', this.app]);
      Object.assign(this.codes, await codesIn(file));
      if (r.signal !== 'SIGKILL' && r.code !== 0 && !this.crasher.crashing) {
        // Nothing left to print: an earlier batch that a kill interrupted after its commit has them.
        assert.ok(this.numbers.every((n) => this.codes[n]), `letters render -> ${r.code}: ${r.stdout}${r.stderr}`);
      }
    }
  }

  async recordMailing() {
    const tracking = String(1_000_000_000_000 + this.round * 7919);
    const mailed = async () => !!await one(this.srv, `SELECT l.id FROM notice_letters l
      JOIN certificate_applications a ON a.id = l.application_id
      WHERE a.number = '${this.app}' AND l.tracking_number IS NOT NULL`);
    await this.crasher.command(['admin', 'mail', 'record', this.app, '--operator', 'iss1', '--tracking', tracking,
      '--date', jstDate(0).iso], { isDone: mailed });
  }

  async pickUp(number) {
    const page = await this.c.get(`/pickup?n=${number}`);
    const opened = await this.c.post('/pickup', {
      csrf_token: csrfToken(page.text), issuance_number: number, pickup_code: this.codes[number],
    });
    assert.equal(opened.status, 200, `pickup ${number}: ${pageText(opened.text).slice(0, 500)}`);
    const password = 'Terminal pass #1';
    const r = await this.c.post('/pickup/pkcs12', {
      csrf_token: csrfToken(opened.text), grant: inputValue(opened.text, 'grant'), number: inputValue(opened.text, 'number'),
      password, password_again: password, format: 'standard',
    });
    assert.equal(r.headers.get('content-type'), 'application/x-pkcs12', `the PKCS#12 of ${number}: ${pageText(r.text).slice(0, 500)}`);
    const file = (ext) => path.join(this.work, `${number}.${ext}`);
    await fsp.writeFile(file('p12'), r.bytes);
    await exec('openssl', ['pkcs12', '-in', file('p12'), '-passin', `pass:${password}`, '-clcerts', '-nokeys',
      '-out', file('crt')]);
    await exec('openssl', ['x509', '-in', file('crt'), '-outform', 'DER', '-out', file('der')]);
    const der = await fsp.readFile(file('der'));
    const serial = /serial=([0-9A-F]+)/i.exec((await exec('openssl', ['x509', '-in', file('crt'), '-noout', '-serial'])).stdout)[1];
    this.handedOut[serial.toLowerCase().replace(/^0+/, '')] = der.toString('hex').toUpperCase();
  }

  async revoke(number) {
    const revoked = async () => (await one(this.srv, `SELECT status FROM certificates WHERE issuance_number = '${number}'
      AND replaced_at IS NULL`)).status === 'revoked';
    await this.crasher.command(['admin', 'certificates', 'revoke', number, '--reason', 'cessationOfOperation',
      '--operator', 'iss1'], { isDone: revoked });
  }

  // 更新申請 from /renewal once the certificate is inside the renewal window (its notAfter moved
  // 30 days ahead in the database, as renewal.test.mjs does).
  async renew(number) {
    await this.crasher.settled();
    await sqlExec(this.srv, `UPDATE certificates SET not_after = ${Date.now() + 30 * DAY_MS}
      WHERE issuance_number = '${number}' AND replaced_at IS NULL`);
    return (await applyForRenewal({ c: this.c }, [number])).number;
  }
}
