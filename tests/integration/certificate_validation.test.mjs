// The certificate form's checks (docs/pages.md 「電子証明書発行申請」): every invalid value answers 422
// with the form, the message of data/messages.ja.toml beside its field in <p class="field-error"
// id="FIELD-error">, the typed values kept; nothing is stored and no mail is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, inputValue, pageText, sleep,
  institutionCode, badCheckDigitCode, fieldError, fieldErrorIds, loadMessages, SUBJECT_CERT_ACCEPTED,
  finalizeUsageApplication, certificateFields, selectOptions, selectedValue, hiddenInputs, formContaining,
  locationPath, CERT_NUMBER_RE, sqlRows,
} from '../support/harness.mjs';

let srv;
let acct;
let c;
let token;
const MSG = loadMessages();
const CODE = freshInstitutionCode(); // 131...: 東京都

before(async () => {
  srv = await startServer({ name: 'certificate_validation' });
  acct = await srv.createAccount({
    email: freshEmail('cval'), password: strongPassword('v'), institutionCode: CODE,
    institutionName: '医療法人テスト会 もみじ診療所',
  });
  c = srv.client();
  const r = await c.login(acct.email, acct.password);
  assert.equal(r.status, 303);
  await finalizeUsageApplication(c, { terminals: '2' });
  const form = await c.get('/certificate-application/form');
  assert.equal(form.status, 200);
  token = inputValue(form.text, 'csrf_token');
  assert.ok(token);
});
after(async () => { await stopServer(srv); });

function post(path, fields) {
  return c.post(path, { idempotency_key: crypto.randomUUID(), ...fields, csrf_token: token });
}

/** Another institution's code (valid check digit), same prefecture. */
function otherCode() {
  for (;;) {
    const code = freshInstitutionCode();
    if (code !== CODE) return code;
  }
}

const TEXT_FIELDS = ['postal_code', 'address_line', 'institution_code', 'institution_name', 'department',
  'contact_name', 'phone', 'email', 'signature_name', 'certificates'];

// [title, overrides, field with the error, message key]
const INVALID = () => [
  ['classification missing', { classification: undefined }, 'classification', 'classification.empty'],
  ['classification empty', { classification: '' }, 'classification', 'classification.empty'],
  ['classification unknown (9)', { classification: '9' }, 'classification', 'classification.empty'],
  ['prefecture missing', { prefecture: undefined }, 'prefecture', 'prefecture.empty'],
  ['prefecture empty', { prefecture: '' }, 'prefecture', 'prefecture.empty'],
  ['municipality missing', { municipality: undefined }, 'municipality', 'municipality.empty'],
  ['municipality empty', { municipality: '' }, 'municipality', 'municipality.empty'],
  ['municipality 011002 (北海道 札幌市) with prefecture 13', { municipality: '011002' }, 'municipality', 'municipality.wrong_prefecture'],
  ['municipality with a bad check digit (131025)', { municipality: '131025' }, 'municipality', 'municipality.invalid_code'],
  ['postal_code missing', { postal_code: undefined }, 'postal_code', 'postal_code.required'],
  ['postal_code empty', { postal_code: '' }, 'postal_code', 'postal_code.required'],
  ['postal_code only 〒', { postal_code: '〒 ' }, 'postal_code', 'postal_code.required'],
  ['postal_code of 6 digits (104-006)', { postal_code: '104-006' }, 'postal_code', 'postal_code.format'],
  ['postal_code of 6 full-width digits (１０４－００６)', { postal_code: '１０４－００６' }, 'postal_code', 'postal_code.format'],
  ['postal_code of 8 digits', { postal_code: '104-00610' }, 'postal_code', 'postal_code.format'],
  ['postal_code split 4-3 (1040-061)', { postal_code: '1040-061' }, 'postal_code', 'postal_code.format'],
  ['postal_code with letters', { postal_code: '104-006l' }, 'postal_code', 'postal_code.format'],
  ['address_line missing', { address_line: undefined }, 'address_line', 'address_line.required'],
  ['address_line of spaces', { address_line: ' 　 ' }, 'address_line', 'address_line.required'],
  ['address_line of 101 characters', { address_line: '町'.repeat(101) }, 'address_line', 'address_line.too_long'],
  ['address_line with a newline', { address_line: '銀座1-2-3\nオンシビル' }, 'address_line',
    'address_line.control_characters'],
  ['address_line only the chosen 東京都中央区', { address_line: '東京都　中央区' }, 'address_line',
    'mailing_address.municipality_only'],
  ['institution_code of another institution', { institution_code: otherCode() }, 'institution_code', 'certificate_form.code_mismatch'],
  ['institution_code with a bad check digit', { institution_code: badCheckDigitCode(CODE.slice(3, 9)) },
    'institution_code', 'institution_code.check_digit'],
  ['prefecture 27 (大阪府) with a 131... code', { prefecture: '27', municipality: '271276', postal_code: '530-0001' /* 大阪市北区梅田 */ }, 'prefecture',
    'certificate_form.prefecture_mismatch'],
  ['institution_name empty', { institution_name: '' }, 'institution_name', 'institution_name.empty'],
  ['department empty', { department: '' }, 'department', 'department.empty'],
  ['contact_name empty', { contact_name: '' }, 'contact_name', 'contact_name.empty'],
  ['phone 123', { phone: '123' }, 'phone', 'phone_number.not_domestic'],
  ['email a@', { email: 'a@' }, 'email', 'email.domain_invalid'],
  ['signature_name empty', { signature_name: '' }, 'signature_name', 'signature_name.empty'],
  ['certificates empty', { certificates: '' }, 'certificates', 'certificates.empty'],
  ['certificates 0', { certificates: '0' }, 'certificates', 'certificates.out_of_range'],
  ['certificates 100', { certificates: '100' }, 'certificates', 'certificates.out_of_range'],
  ['certificates abc', { certificates: 'abc' }, 'certificates', 'certificates.not_a_number'],
];

/** The chunk of html of the <div class="field"> holding the control named `field`. */
function fieldBlock(html, field) {
  return html.split(/<div class="field">/).slice(1).find((p) => p.includes(`name="${field}"`));
}

function assertInvalid(r, { title, fields, field, key }) {
  assert.equal(r.status, 422, `${title}: status ${r.status}: ${pageText(r.text).slice(0, 400)}`);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/i);
  assert.ok(MSG[key], `${key} is in data/messages.ja.toml`);
  assert.deepEqual(fieldErrorIds(r.text), [`${field}-error`], `${title}: only ${field} has a message`);
  assert.equal(fieldError(r.text, field), MSG[key], `${title}: the message of ${key}`);
  const block = fieldBlock(r.text, field);
  assert.ok(block && block.includes(`id="${field}-error"`), `${title}: the message is beside the ${field} control`);
  // The typed values are kept.
  for (const f of TEXT_FIELDS) {
    assert.equal(inputValue(r.text, f), fields[f] ?? '', `${title}: ${f} kept`);
  }
  const cls = selectOptions(r.text, 'classification').map((o) => o.value);
  assert.equal(selectedValue(r.text, 'classification'), cls.includes(fields.classification) ? fields.classification : '',
    `${title}: classification kept`);
  if (fields.prefecture) assert.equal(selectedValue(r.text, 'prefecture'), fields.prefecture, `${title}: prefecture kept`);
  const munis = selectOptions(r.text, 'municipality').map((o) => o.value);
  if (munis.includes(fields.municipality)) {
    assert.equal(selectedValue(r.text, 'municipality'), fields.municipality, `${title}: municipality kept`);
  }
  if (fields.prefecture) {
    assert.deepEqual(munis.filter((v) => v && !v.startsWith(fields.prefecture.padStart(2, '0'))), [],
      `${title}: only the chosen prefecture's municipalities`);
  }
}

test('the valid fields pass (so each case below fails for its one field only)', async () => {
  const r = await post('/certificate-application/confirm', certificateFields(acct));
  assert.equal(r.status, 200, pageText(r.text).slice(0, 600));
  assert.deepEqual(fieldErrorIds(r.text), []);
  assert.equal(institutionCode(acct.institutionCode.slice(3, 9)), acct.institutionCode);
});

for (const [title, overrides, field, key] of INVALID()) {
  test(`${title} -> 422 ${key} beside ${field}`, async () => {
    const fields = certificateFields(acct, overrides);
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete fields[k];
    const r = await post('/certificate-application/confirm', fields);
    assertInvalid(r, { title: `confirm: ${title}`, fields, field, key });
    // The same values sent straight to 閉じる are refused the same way.
    const s = await post('/certificate-application/submit', fields);
    assertInvalid(s, { title: `submit: ${title}`, fields, field, key });
  });
}

test('nothing was stored and no mail was sent', async () => {
  const my = await c.get('/mypage');
  assert.equal(my.status, 200);
  assert.equal([...my.text.matchAll(/href="\/certificate-applications\/C-\d{8}"/g)].length, 0, pageText(my.text));
  assert.ok(pageText(my.text).includes('電子証明書の発行申請はまだ行われていません'), pageText(my.text));
  await sleep(1000);
  assert.equal((await srv.smtp.find({ subjectIncludes: SUBJECT_CERT_ACCEPTED })).length, 0);
});

test('a full-width postal code (１０４－００６１) is accepted and stored as 1040061', async () => {
  const fields = certificateFields(acct, { postal_code: '１０４－００６１', address_line: '銀座１－２－３　オンシビル５階' });
  const conf = await post('/certificate-application/confirm', fields);
  assert.equal(conf.status, 200, pageText(conf.text).slice(0, 600));
  assert.deepEqual(fieldErrorIds(conf.text), []);
  const shown = '〒104-0061 東京都中央区銀座1-2-3 オンシビル5階';
  assert.ok(pageText(conf.text).includes(shown), pageText(conf.text));
  const s = await c.post('/certificate-application/submit', hiddenInputs(formContaining(conf.text, '閉じる').html));
  assert.equal(s.status, 303, pageText(s.text).slice(0, 500));
  const number = CERT_NUMBER_RE.exec(locationPath(s.location))?.[0];
  assert.ok(number, s.location);
  const detail = await c.get(`/certificate-applications/${number}`);
  assert.ok(pageText(detail.text).includes(shown), pageText(detail.text));
  // What the notice letter will be addressed with: 7 digits without a hyphen, the line normalised.
  const rows = await sqlRows(srv, `SELECT postal_code, address_line FROM certificate_applications WHERE number = '${number}'`);
  assert.deepEqual(rows, [{ postal_code: '1040061', address_line: '銀座1-2-3 オンシビル5階' }]);
});
