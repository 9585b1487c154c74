// The usage application form's checks (docs/pages.md): every invalid value answers 422 with the
// form, the typed values kept and the message beside its field in <p class="field-error"
// id="FIELD-error">; nothing is stored and no mail is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  shownStartDate,
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, csrfToken, inputValue, pageText,
  locationPath, sleep, jstDate, usageFields, checkedRadio, fieldError, fieldErrorIds, loadMessages,
  SUBJECT_USAGE_ACCEPTED,
} from '../support/harness.mjs';

let srv;
let acct;
let c;
let token;
const MSG = loadMessages();

before(async () => {
  srv = await startServer({ name: 'usage_validation' });
  acct = await srv.createAccount({
    email: freshEmail('uval'), password: strongPassword('v'), institutionCode: freshInstitutionCode(),
    institutionName: '医療法人テスト会 つばき診療所',
  });
  c = srv.client();
  const r = await c.login(acct.email, acct.password);
  assert.equal(r.status, 303);
  token = await c.csrf('/usage-application/form');
});
after(async () => { await stopServer(srv); });

function post(path, fields) {
  return c.post(path, { changes: '', idempotency_key: crypto.randomUUID(), ...fields, csrf_token: token });
}

const yesterday = jstDate(-1);
const threeYears = jstDate(3 * 365 + 1);

// [title, overrides, field with the error, acceptable message keys (any of)]
const INVALID = [
  ['line_type missing', { line_type: undefined }, 'line_type', ['line_type.empty']],
  ['line_type unknown', { line_type: 'isdn' }, 'line_type', ['line_type.empty', 'line_type.invalid', 'line_type.unknown']],
  ['customer_id empty for a フレッツ line', { customer_id: '' }, 'customer_id', ['customer_id.required']],
  ['customer_id empty for an NTT西日本 line', { line_type: 'flets_next_west', customer_id: '' }, 'customer_id', ['customer_id.required']],
  ['COP id for an NTT東日本 line', { customer_id: 'COP12345678' }, 'customer_id', ['customer_id.wrong_carrier']],
  ['CAF id for an NTT西日本 line', { line_type: 'flets_cross_west', customer_id: 'CAF1234567890' }, 'customer_id', ['customer_id.wrong_carrier']],
  ['CAF + 9 digits', { customer_id: 'CAF123456789' }, 'customer_id', ['customer_id.wrong_length']],
  ['CAF + 11 digits', { customer_id: 'CAF12345678901' }, 'customer_id', ['customer_id.wrong_length']],
  ['COP + 7 digits', { line_type: 'flets_next_west', customer_id: 'COP1234567' }, 'customer_id', ['customer_id.wrong_length']],
  ['XYZ prefix', { customer_id: 'XYZ1234567890' }, 'customer_id', ['customer_id.unknown_prefix']],
  ['letters that are not an id', { customer_id: 'CAF12345678９あ' }, 'customer_id', ['customer_id.invalid_characters', 'customer_id.invalid', 'customer_id.wrong_length']],
  ['an id for IPsec+IKE', { line_type: 'ipsec_ike', customer_id: 'CAF1234567890' }, 'customer_id', ['customer_id.not_applicable']],
  ['start_date empty', { start_date: '' }, 'start_date', ['start_date.empty']],
  ['start_date 2026-02-30', { start_date: '2026-02-30' }, 'start_date', ['date.invalid_date', 'date.invalid']],
  ['start_date abc', { start_date: 'abc' }, 'start_date', ['date.malformed', 'date.invalid']],
  ['start_date yesterday', { start_date: yesterday.iso }, 'start_date', ['start_date.past']],
  ['start_date yesterday (YYYY/M/D)', { start_date: yesterday.slash }, 'start_date', ['start_date.past']],
  ['start_date 3 years ahead', { start_date: threeYears.iso }, 'start_date', ['start_date.too_far']],
  ['terminals empty', { terminals: '' }, 'terminals', ['terminals.empty']],
  ['terminals 0', { terminals: '0' }, 'terminals', ['terminals.out_of_range']],
  ['terminals 100', { terminals: '100' }, 'terminals', ['terminals.out_of_range']],
  ['terminals abc', { terminals: 'abc' }, 'terminals', ['terminals.not_a_number']],
  ['terminals -1', { terminals: '-1' }, 'terminals', ['terminals.not_a_number', 'terminals.out_of_range']],
  ['terminals 1.5', { terminals: '1.5' }, 'terminals', ['terminals.not_a_number']],
  ['vendor_name empty', { vendor_name: '' }, 'vendor_name', ['vendor_name.empty']],
  ['vendor_name blanks only', { vendor_name: '　 ' }, 'vendor_name', ['vendor_name.empty']],
  ['vendor_name 101 characters', { vendor_name: 'あ'.repeat(101) }, 'vendor_name', ['vendor_name.too_long']],
  ['vendor_contact empty', { vendor_contact: '' }, 'vendor_contact', ['vendor_contact.empty']],
  ['vendor_contact 101 characters', { vendor_contact: '山'.repeat(101) }, 'vendor_contact', ['vendor_contact.too_long']],
  ['vendor_phone 123', { vendor_phone: '123' }, 'vendor_phone', null],
  ['vendor_phone empty', { vendor_phone: '' }, 'vendor_phone', ['phone_number.empty']],
  ['vendor_phone letters', { vendor_phone: '03-1234-ABCD' }, 'vendor_phone', null],
  ['vendor_phone too short', { vendor_phone: '03-1234-567' }, 'vendor_phone', null],
];

function assertInvalid(r, { title, fields, field, keys }) {
  assert.equal(r.status, 422, `${title}: status ${r.status}: ${pageText(r.text).slice(0, 400)}`);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/i);
  assert.deepEqual(fieldErrorIds(r.text), [`${field}-error`], `${title}: only ${field} has a message`);
  const msg = fieldError(r.text, field);
  assert.ok(msg, `${title}: <p class="field-error" id="${field}-error">`);
  if (keys) {
    const want = keys.map((k) => MSG[k]).filter(Boolean);
    assert.ok(want.length > 0, `${title}: no catalogue text for ${keys}`);
    assert.ok(want.includes(msg), `${title}: message ${JSON.stringify(msg)}, expected one of ${JSON.stringify(want)}`);
  } else {
    const phone = Object.entries(MSG).filter(([k]) => k.startsWith('phone_number.')).map(([, v]) => v);
    assert.ok(phone.includes(msg), `${title}: a phone_number message, got ${JSON.stringify(msg)}`);
  }
  // The typed values are kept, the bad one included.
  for (const f of ['customer_id', 'start_date', 'terminals', 'vendor_name', 'vendor_contact', 'vendor_phone']) {
    const kept = f === 'start_date' ? shownStartDate(fields[f]) : (fields[f] ?? '');
    assert.equal(inputValue(r.text, f), kept, `${title}: ${f} keeps what was typed`);
  }
  const lt = checkedRadio(r.text, 'line_type');
  if (fields.line_type === undefined || fields.line_type === 'isdn') assert.equal(lt, undefined, `${title}: no line chosen`);
  else assert.equal(lt, fields.line_type, `${title}: the chosen line stays chosen`);
  // Still the form: posts to the confirmation step, with the button.
  assert.ok(r.text.includes('内容を確認する'), title);
  assert.ok(csrfToken(r.text));
  // The message stands beside its field: after the input (or in the radio group) and before the next field.
  const at = r.text.indexOf(`id="${field}-error"`);
  const input = field === 'line_type' ? r.text.indexOf('name="line_type"') : r.text.indexOf(`name="${field}"`);
  assert.ok(input >= 0 && input < at, `${title}: the message follows its field`);
  const next = ['line_type', 'customer_id', 'start_date', 'terminals', 'vendor_name', 'vendor_contact', 'vendor_phone'];
  const following = next[next.indexOf(field) + 1];
  if (following) {
    assert.ok(at < r.text.indexOf(`name="${following}"`), `${title}: the message comes before the next field`);
  }
}

for (const [title, overrides, field, keys] of INVALID) {
  test(`422: ${title}`, async () => {
    const fields = usageFields(overrides);
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete fields[k];
    const conf = await post('/usage-application/confirm', fields);
    assertInvalid(conf, { title: `confirm, ${title}`, fields, field, keys });
    const fin = await post('/usage-application/finalize', fields);
    assertInvalid(fin, { title: `finalize, ${title}`, fields, field, keys });
    assert.equal(fin.location, null);
  });
}

test('422 with every field wrong: one message per field and the form-level notice', async () => {
  const fields = {
    customer_id: 'XYZ', start_date: 'abc', terminals: '0', vendor_name: '', vendor_contact: '', vendor_phone: '1',
  };
  const r = await post('/usage-application/confirm', fields);
  assert.equal(r.status, 422);
  const ids = fieldErrorIds(r.text);
  const want = ['line_type-error', 'start_date-error', 'terminals-error', 'vendor_name-error', 'vendor_contact-error',
    'vendor_phone-error'];
  for (const id of want) assert.ok(ids.includes(id), `${id} in ${ids}`);
  // customer_id cannot be judged without a line: a message there is allowed, not required.
  assert.deepEqual(ids.filter((id) => !want.includes(id) && id !== 'customer_id-error'), [], `${ids}`);
  assert.equal(new Set(ids).size, ids.length, `one message per field: ${ids}`);
  assert.equal(inputValue(r.text, 'customer_id'), 'XYZ');
  assert.ok(pageText(r.text).includes('入力内容に誤りがあります'), pageText(r.text));
});

const VALID = [
  ['IPsec+IKE with no お客様ID', { line_type: 'ipsec_ike', customer_id: '' }, ['（なし）', 'IPsec+IKE']],
  ['terminals １０ (full width)', { terminals: '１０' }, [/10\s*台/]],
  ['terminals 1', { terminals: '1' }, [/1\s*台/]],
  ['terminals 99', { terminals: '99' }, [/99\s*台/]],
  // Today is read when the test runs, not when the module loads: midnight in Japan may fall between.
  ['start date today', () => ({ start_date: jstDate(0).iso }), () => [jstDate(0).shown]],
  ['start date as YYYY/M/D', { start_date: jstDate(5).slash }, [jstDate(5).shown]],
  ['start date in 700 days', { start_date: jstDate(700).iso }, [jstDate(700).shown]],
  ['COP id for NTT西日本, with hyphens', { line_type: 'flets_next_west', customer_id: 'cop-1234-5678' }, ['COP12345678']],
  ['CAF id with full-width hyphens', { line_type: 'hikari_collabo_east', customer_id: 'ＣＡＦ－１２３４－５６７８９０' }, ['CAF1234567890']],
  ['mobile phone', { vendor_phone: '０９０１２３４５６７８' }, ['090-1234-5678']],
  ['vendor name 100 characters', { vendor_name: 'あ'.repeat(100) }, ['あ'.repeat(100)]],
];

const now = (v) => (typeof v === 'function' ? v() : v);

for (const [title, overridesAt, showsAt] of VALID) {
  test(`200: ${title}`, async () => {
    const overrides = now(overridesAt);
    const shows = now(showsAt);
    const r = await post('/usage-application/confirm', usageFields(overrides));
    assert.equal(r.status, 200, `${title}: ${pageText(r.text).slice(0, 600)}`);
    assert.deepEqual(fieldErrorIds(r.text), []);
    const text = pageText(r.text);
    for (const s of shows) {
      if (s instanceof RegExp) assert.match(text, s, title);
      else assert.ok(text.includes(s), `${title}: ${s} in ${text}`);
    }
    assert.ok(text.includes('上記の内容で確定する'), text);
  });
}

test('typed markup is shown as text, never as HTML', async () => {
  const evil = '<script>alert(1)</script>"><b>ベンダ</b>';
  const r = await post('/usage-application/confirm', usageFields({ vendor_name: evil }));
  assert.equal(r.status, 200, pageText(r.text).slice(0, 300));
  assert.ok(!r.text.includes('<script>alert(1)'), 'script tag escaped');
  assert.ok(!r.text.includes('<b>ベンダ'), 'b tag escaped');
  assert.ok(pageText(r.text).includes(evil), 'shown as typed');
  const bad = await post('/usage-application/confirm', usageFields({ vendor_name: evil, terminals: '' }));
  assert.equal(bad.status, 422);
  assert.equal(inputValue(bad.text, 'vendor_name'), evil, 'kept in the value attribute, escaped');
  assert.ok(!bad.text.includes('<script>alert(1)'));
});

test('invalid posts never create an application or send mail', async () => {
  const my = await c.get('/mypage');
  assert.equal(my.status, 200);
  assert.ok(pageText(my.text).includes('申請はまだありません'), pageText(my.text));
  assert.equal([...my.text.matchAll(/href="\/usage-applications\/U-/g)].length, 0);
  await sleep(800);
  assert.equal((await srv.smtp.find({ subjectIncludes: SUBJECT_USAGE_ACCEPTED })).length, 0, 'no acceptance mail');
  const form = await c.get('/usage-application/form');
  assert.equal(inputValue(form.text, 'changes'), '', 'still a first application');
});

test('a change application may keep a past start date; a first one may not', async () => {
  const other = await srv.createAccount({
    email: freshEmail('upast'), password: strongPassword('p'), institutionCode: freshInstitutionCode(),
    institutionName: '医療法人テスト会 かえで医院',
  });
  const oc = srv.client();
  assert.equal((await oc.login(other.email, other.password)).status, 303);
  const t = await oc.csrf('/usage-application/form');
  const first = await oc.post('/usage-application/finalize', {
    ...usageFields(), changes: '', idempotency_key: crypto.randomUUID(), csrf_token: t,
  });
  assert.equal(first.status, 303, pageText(first.text).slice(0, 400));
  const number = /number=(U-\d{8})/.exec(first.location)[1];
  const change = await oc.post('/usage-application/confirm', {
    ...usageFields({ start_date: yesterday.iso }), changes: number, idempotency_key: crypto.randomUUID(), csrf_token: t,
  });
  assert.equal(change.status, 200, `a change keeping a past date: ${pageText(change.text).slice(0, 400)}`);
  const tooFar = await oc.post('/usage-application/confirm', {
    ...usageFields({ start_date: threeYears.iso }), changes: number, idempotency_key: crypto.randomUUID(), csrf_token: t,
  });
  assert.equal(tooFar.status, 422);
  assert.ok(fieldError(tooFar.text, 'start_date'));
  const fin = await oc.post('/usage-application/finalize', {
    ...usageFields({ start_date: yesterday.iso, terminals: '4' }), changes: number, idempotency_key: crypto.randomUUID(), csrf_token: t,
  });
  assert.equal(fin.status, 303, pageText(fin.text).slice(0, 400));
  assert.equal(locationPath(fin.location).startsWith('/usage-application/complete?number=U-'), true);
});
