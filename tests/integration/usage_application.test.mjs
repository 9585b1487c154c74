// オンライン資格確認利用開始・変更申請 through the pages (docs/pages.md, the guide's step 2):
// マイページ -> explanation -> form -> 内容を確認する -> 上記の内容で確定する -> 完了 + acceptance mail,
// double submission, 変更申請, history, and that one institution never sees another's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  shownStartDate,
  startServer, stopServer, freshEmail, freshInstitutionCode, strongPassword, csrfToken, findTag, parseAttrs,
  inputValue, pageText, locationPath, showsCode, sleep, jstDate, toFullWidth, usageFields, checkedRadio,
  fieldErrorIds, loadMessages, MAIL_FROM, MSG_CSRF, USAGE_TITLE, USAGE_PROCEED, USAGE_HEADINGS, SUBJECT_USAGE_ACCEPTED,
  USAGE_NUMBER_RE, USAGE_FIELDS,
} from '../support/harness.mjs';

const MSG = loadMessages();
let srv;
before(async () => { srv = await startServer({ name: 'usage_application' }); });
after(async () => { await stopServer(srv); });

const LINE_TYPES = ['flets_next_east', 'flets_next_west', 'flets_cross_east', 'flets_cross_west',
  'hikari_collabo_east', 'hikari_collabo_west', 'ipsec_ike'];

async function loggedIn(acct) {
  const c = srv.client();
  const r = await c.login(acct.email, acct.password);
  assert.equal(r.status, 303, `login ${acct.email}: ${pageText(r.text).slice(0, 300)}`);
  assert.equal(locationPath(r.location), '/mypage');
  return c;
}

async function newAccount(tag, institutionName) {
  return srv.createAccount({
    email: freshEmail(tag), password: strongPassword(tag), institutionCode: freshInstitutionCode(), institutionName,
  });
}

/** Every <input type="hidden"> of the page, name -> value. */
function hiddenFields(html) {
  const out = {};
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = parseAttrs(m[0]);
    if (String(a.type).toLowerCase() === 'hidden' && a.name) out[a.name] = a.value ?? '';
  }
  return out;
}

/** The <form> element (opening tag attributes and inner html) containing `needle`. */
function formAround(html, needle) {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
    if (m[0].includes(needle)) return { attrs: parseAttrs(/<form\b[^>]*>/i.exec(m[0])[0]), html: m[0] };
  }
  return undefined;
}

/** The <button> (or input type=submit) whose text is `label`: its attributes, or undefined. */
function buttonNamed(html, label) {
  for (const m of html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
    if (pageText(m[2]) === label) return parseAttrs(`<button ${m[1]}>`);
  }
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = parseAttrs(m[0]);
    if (String(a.type).toLowerCase() === 'submit' && a.value === label) return a;
  }
  return undefined;
}

/** Number of links to /usage-applications/NUMBER on a page. */
function linksTo(html, number) {
  return [...html.matchAll(/<a\b[^>]*href="([^"]*)"/gi)].filter((m) => m[1] === `/usage-applications/${number}`).length;
}

function linkWithText(html, href, text) {
  for (const m of html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi)) {
    const a = parseAttrs(`<a ${m[1]}>`);
    if (a.href === href && pageText(m[2]) === text) return true;
  }
  return false;
}

function assertHeadings(html, what) {
  const text = pageText(html);
  let at = -1;
  for (const h of USAGE_HEADINGS) {
    const i = text.indexOf(h, at + 1);
    assert.ok(i > at, `${what}: heading line ${h} (in order) missing from: ${text.slice(0, 400)}`);
    at = i;
  }
}

async function usageMails(email, number) {
  return srv.smtp.find({ to: email, subjectIncludes: number ? `${SUBJECT_USAGE_ACCEPTED}（${number}）` : SUBJECT_USAGE_ACCEPTED });
}

// Shared by the tests below, which run in order.
const A = {};
const start = jstDate(30);
const typed = {
  line_type: 'flets_next_east',
  customer_id: toFullWidth('CAF1234567890'), // ＣＡＦ１２３４５６７８９０
  start_date: start.slash, // 2026/12/24 style
  terminals: '２',
  vendor_name: 'テストベンダ株式会社',
  vendor_contact: '山田 太郎',
  vendor_phone: '03ー1234ー5678',
};

test('マイページ links to the usage application; the explanation page; the form', async () => {
  A.acct = await newAccount('usage', '医療法人テスト会 あおば診療所');
  A.c = await loggedIn(A.acct);

  const my = await A.c.get('/mypage');
  assert.equal(my.status, 200);
  assert.ok(linkWithText(my.text, '/usage-application', USAGE_TITLE),
    `マイページ needs a link 「${USAGE_TITLE}」 to /usage-application: ${pageText(my.text)}`);
  assert.ok(pageText(my.text).includes('申請はまだありません'), pageText(my.text));

  const intro = await A.c.get('/usage-application');
  assert.equal(intro.status, 200, pageText(intro.text).slice(0, 300));
  assert.match(intro.headers.get('content-type') ?? '', /text\/html/i);
  assertHeadings(intro.text, 'intro');
  assert.ok(linkWithText(intro.text, '/usage-application/form', USAGE_PROCEED),
    `intro needs a link 「${USAGE_PROCEED}」 to /usage-application/form`);
  // 「at its foot」: after the explanation.
  const introText = pageText(intro.text);
  assert.ok(introText.lastIndexOf(USAGE_PROCEED) > introText.indexOf(USAGE_HEADINGS[2]), introText);
  // 「ご用意いただくもの」 names everything the form asks for, 利用開始予定日 included.
  for (const what of ['お客様ID', '利用開始予定日', '台数', 'システムベンダ']) {
    assert.ok(introText.includes(what), `ご用意いただくもの lacks ${what}`);
  }

  const form = await A.c.get('/usage-application/form');
  assert.equal(form.status, 200, pageText(form.text).slice(0, 300));
  assertHeadings(form.text, 'form');
  const text = pageText(form.text);
  assert.ok(text.includes(A.acct.institutionName), `institution name on the form: ${text}`);
  assert.ok(showsCode(form.text, A.acct.institutionCode), `institution code on the form: ${text}`);
  assert.ok(text.includes(A.acct.email), `e-mail on the form: ${text}`);
  // Shown, not asked.
  for (const f of ['institution_name', 'institution_code', 'email']) {
    assert.equal(findTag(form.text, 'input', f), undefined, `the form must not ask for ${f}`);
  }
  for (const f of USAGE_FIELDS.filter((x) => x !== 'line_type')) {
    assert.notEqual(inputValue(form.text, f), undefined, `form has no input ${f}`);
    assert.equal(inputValue(form.text, f), '', `${f} is empty before the first application`);
  }
  const radios = [...form.text.matchAll(/<input\b[^>]*>/gi)].map((m) => parseAttrs(m[0]))
    .filter((a) => a.name === 'line_type');
  assert.deepEqual(radios.map((a) => a.type).filter((t) => t !== 'radio'), [], 'line_type inputs are radios');
  assert.deepEqual(radios.map((a) => a.value).sort(), [...LINE_TYPES].sort());
  assert.equal(checkedRadio(form.text, 'line_type'), undefined, 'no line type chosen beforehand');
  assert.ok(text.includes('「フレッツ 光ネクスト」'), text);
  assert.ok(text.includes('NTT東日本') && text.includes('NTT西日本'), text);
  assert.ok(text.includes('IPsec+IKE'), text);
  for (const label of ['回線種別', 'お客様ID', '利用開始予定日', '端末台数', 'システムベンダ名', '担当者名', '電話番号']) {
    assert.ok(text.includes(label), `label ${label}: ${text}`);
  }
  assert.equal(findTag(form.text, 'input', 'start_date').type, 'date');
  assert.ok(buttonNamed(form.text, '内容を確認する'), 'button 内容を確認する');
  const f = formAround(form.text, '内容を確認する');
  assert.equal(f.attrs.method?.toLowerCase(), 'post');
  assert.equal(f.attrs.action, '/usage-application/confirm');
  assert.ok(inputValue(form.text, 'idempotency_key'), 'hidden idempotency_key');
  assert.equal(inputValue(form.text, 'changes'), '', 'hidden changes is empty for a first application');
  assert.ok(inputValue(form.text, 'csrf_token'));
  const again = await A.c.get('/usage-application/form');
  assert.notEqual(inputValue(again.text, 'idempotency_key'), inputValue(form.text, 'idempotency_key'),
    'a new idempotency_key for each rendered form');
  A.form = form.text;
});

test('内容を確認する: read-only normalized values; 入力画面に戻る shows what was typed', async () => {
  const fields = {
    ...typed, changes: '', idempotency_key: inputValue(A.form, 'idempotency_key'), csrf_token: csrfToken(A.form),
  };
  const r = await A.c.post('/usage-application/confirm', fields);
  assert.equal(r.status, 200, pageText(r.text).slice(0, 800));
  assertHeadings(r.text, 'confirm');
  const text = pageText(r.text);
  assert.ok(text.includes('CAF1234567890'), `normalized お客様ID: ${text}`);
  assert.ok(!text.includes(typed.customer_id), 'the full-width id is shown normalized');
  assert.ok(/2\s*台/.test(text), `端末台数 2台: ${text}`);
  assert.ok(text.includes('03-1234-5678'), `normalized phone: ${text}`);
  assert.ok(text.includes(start.iso) || text.includes(`${start.y}年${start.m}月${start.d}日`), `start date: ${text}`);
  assert.ok(text.includes('「フレッツ 光ネクスト」') && text.includes('NTT東日本'), text);
  assert.ok(text.includes('テストベンダ株式会社') && text.includes('山田 太郎'), text);
  assert.ok(text.includes(A.acct.institutionName), text);
  // Read-only: nothing to type in, nothing to choose.
  for (const m of r.text.matchAll(/<(input|select|textarea)\b[^>]*>/gi)) {
    const a = parseAttrs(m[0]);
    if (m[1].toLowerCase() === 'input' && ['hidden', 'submit'].includes(String(a.type).toLowerCase())) continue;
    assert.ok('readonly' in a || 'disabled' in a, `editable control on the confirmation page: ${m[0]}`);
  }
  const fin = buttonNamed(r.text, '上記の内容で確定する');
  const back = buttonNamed(r.text, '入力画面に戻る');
  assert.ok(fin, 'button 上記の内容で確定する');
  assert.ok(back, 'button 入力画面に戻る');
  const finForm = formAround(r.text, '上記の内容で確定する');
  assert.equal(finForm.attrs.method?.toLowerCase(), 'post');
  assert.equal(fin.formaction ?? finForm.attrs.action, '/usage-application/finalize');
  const backForm = formAround(r.text, '入力画面に戻る');
  assert.equal(back.formaction ?? backForm.attrs.action, '/usage-application/edit');
  A.confirmHidden = hiddenFields(finForm.html);
  assert.ok(A.confirmHidden.csrf_token, 'csrf_token on the confirmation page');
  assert.equal(A.confirmHidden.idempotency_key, fields.idempotency_key, 'the idempotency key travels on');
  A.backHidden = hiddenFields(backForm.html);

  const edit = await A.c.post('/usage-application/edit', A.backHidden);
  assert.equal(edit.status, 200, pageText(edit.text).slice(0, 500));
  assert.equal(checkedRadio(edit.text, 'line_type'), 'flets_next_east');
  for (const f of ['customer_id', 'start_date', 'terminals', 'vendor_name', 'vendor_contact', 'vendor_phone']) {
    const kept = f === 'start_date' ? shownStartDate(typed[f]) : typed[f];
    assert.equal(inputValue(edit.text, f), kept, `${f} after 入力画面に戻る`);
  }
  assert.equal(inputValue(edit.text, 'changes'), '');
  assert.ok(buttonNamed(edit.text, '内容を確認する'));
  assert.deepEqual(fieldErrorIds(edit.text), [], 'no error messages after 入力画面に戻る');
  // Nothing stored yet.
  assert.ok(pageText((await A.c.get('/mypage')).text).includes('申請はまだありません'));
  assert.equal((await usageMails(A.acct.email)).length, 0);
});

test('上記の内容で確定する: 303 to the completion page, acceptance mail, double submission', async () => {
  const r = await A.c.post('/usage-application/finalize', A.confirmHidden);
  assert.equal(r.status, 303, pageText(r.text).slice(0, 500));
  const loc = locationPath(r.location);
  const m = /^\/usage-application\/complete\?number=(U-\d{8})$/.exec(loc);
  assert.ok(m, `Location ${r.location}`);
  A.number1 = m[1];

  const done = await A.c.get(loc);
  assert.equal(done.status, 200);
  const text = pageText(done.text);
  assert.ok(text.includes('利用開始申請を受け付けました'), text);
  assert.ok(text.includes(A.number1), text);
  assert.ok(linkWithText(done.text, '/mypage', 'マイページに戻る'), 'link マイページに戻る');

  const mail = await srv.waitForMail({ to: A.acct.email, subjectIncludes: A.number1 });
  assert.equal(mail.subject, `${SUBJECT_USAGE_ACCEPTED}（${A.number1}）`);
  assert.equal(mail.from, MAIL_FROM);
  for (const v of ['CAF1234567890', A.number1, '03-1234-5678', 'テストベンダ株式会社', '山田 太郎']) {
    assert.ok(mail.body.includes(v), `mail body has ${v}:\n${mail.body}`);
  }
  assert.ok(/2\s*台/.test(mail.body), `mail body has 2台:\n${mail.body}`);
  assert.ok(mail.body.includes(start.iso) || mail.body.includes(`${start.y}年${start.m}月${start.d}日`), mail.body);

  // Double click / back button: the same key answers the same 303 and creates nothing.
  const again = await A.c.post('/usage-application/finalize', A.confirmHidden);
  assert.equal(again.status, 303, pageText(again.text).slice(0, 500));
  assert.equal(locationPath(again.location), loc);
  const both = await Promise.all([
    A.c.post('/usage-application/finalize', A.confirmHidden),
    A.c.post('/usage-application/finalize', A.confirmHidden),
  ]);
  for (const b of both) {
    assert.equal(b.status, 303, pageText(b.text).slice(0, 500));
    assert.equal(locationPath(b.location), loc);
  }
  const my = await A.c.get('/mypage');
  assert.equal(linksTo(my.text, A.number1), 1, 'one application on マイページ');
  assert.equal([...my.text.matchAll(/href="\/usage-applications\/U-\d{8}"/g)].length, 1, pageText(my.text));
  const myText = pageText(my.text);
  assert.ok(myText.includes('利用開始申請') && myText.includes('確定'), myText);
  assert.ok(!myText.includes('申請はまだありません'), myText);
  await sleep(1000);
  assert.equal((await usageMails(A.acct.email)).length, 1, 'exactly one acceptance mail');
});

test('a second first application (another tab) answers 409 and creates nothing', async () => {
  const form = await A.c.get('/usage-application/form');
  const r = await A.c.post('/usage-application/finalize', {
    ...usageFields({ terminals: '5' }), changes: '', idempotency_key: crypto.randomUUID(), csrf_token: csrfToken(form.text),
  });
  assert.equal(r.status, 409, pageText(r.text).slice(0, 500));
  assert.ok(pageText(r.text).includes(MSG['usage.already_started']), `the reason: ${pageText(r.text)}`);
  assert.equal(r.location, null);
  const my = await A.c.get('/mypage');
  assert.equal([...my.text.matchAll(/href="\/usage-applications\/U-\d{8}"/g)].length, 1);
  await sleep(500);
  assert.equal((await usageMails(A.acct.email)).length, 1);
});

test('変更申請: the form is pre-filled, finalizing makes version 2 with history', async () => {
  const intro = await A.c.get('/usage-application');
  assert.equal(intro.status, 200);
  const form = await A.c.get('/usage-application/form');
  assert.equal(form.status, 200);
  assert.equal(checkedRadio(form.text, 'line_type'), 'flets_next_east');
  assert.equal(inputValue(form.text, 'customer_id'), 'CAF1234567890');
  assert.equal(inputValue(form.text, 'start_date'), start.iso, 'pre-filled start date (an <input type=date> needs YYYY-MM-DD)');
  assert.equal(inputValue(form.text, 'terminals'), '2');
  assert.equal(inputValue(form.text, 'vendor_name'), 'テストベンダ株式会社');
  assert.equal(inputValue(form.text, 'vendor_contact'), '山田 太郎');
  assert.equal(inputValue(form.text, 'vendor_phone'), '03-1234-5678');
  assert.equal(inputValue(form.text, 'changes'), A.number1);
  const key = inputValue(form.text, 'idempotency_key');
  assert.ok(key && key !== A.confirmHidden.idempotency_key, 'a new key for the change');

  const fields = {};
  for (const f of ['customer_id', 'start_date', 'terminals', 'vendor_name', 'vendor_contact', 'vendor_phone',
    'changes', 'idempotency_key', 'csrf_token']) fields[f] = inputValue(form.text, f);
  fields.line_type = checkedRadio(form.text, 'line_type');
  fields.terminals = '3';
  const conf = await A.c.post('/usage-application/confirm', fields);
  assert.equal(conf.status, 200, pageText(conf.text).slice(0, 800));
  assert.ok(/3\s*台/.test(pageText(conf.text)), pageText(conf.text));
  const hidden = hiddenFields(formAround(conf.text, '上記の内容で確定する').html);
  assert.equal(hidden.changes, A.number1);
  const fin = await A.c.post('/usage-application/finalize', hidden);
  assert.equal(fin.status, 303, pageText(fin.text).slice(0, 500));
  const m = /^\/usage-application\/complete\?number=(U-\d{8})$/.exec(locationPath(fin.location));
  assert.ok(m, fin.location);
  A.number2 = m[1];
  assert.notEqual(A.number2, A.number1);
  const done = await A.c.get(locationPath(fin.location));
  assert.equal(done.status, 200);
  assert.ok(pageText(done.text).includes('変更申請を受け付けました'), pageText(done.text));
  assert.ok(pageText(done.text).includes(A.number2));

  const mail = await srv.waitForMail({ to: A.acct.email, subjectIncludes: A.number2 });
  assert.ok(/3\s*台/.test(mail.body), mail.body);
  assert.ok(mail.body.includes(A.number2), mail.body);

  const detail = await A.c.get(`/usage-applications/${A.number2}`);
  assert.equal(detail.status, 200, pageText(detail.text).slice(0, 300));
  const dt = pageText(detail.text);
  assert.ok(dt.includes('第2版'), dt);
  assert.ok(dt.includes('第1版'), `history has 第1版: ${dt}`);
  assert.ok(dt.includes(A.number1) && dt.includes(A.number2), dt);
  assert.equal(linksTo(detail.text, A.number1), 1, 'history links to version 1');
  assert.ok(/3\s*台/.test(dt) && dt.includes('CAF1234567890'), dt);
  assert.ok(dt.includes('変更申請'), dt);

  const old = await A.c.get(`/usage-applications/${A.number1}`);
  assert.equal(old.status, 200);
  const ot = pageText(old.text);
  assert.ok(ot.includes('第1版') && /2\s*台/.test(ot), ot);
  assert.ok(ot.includes(A.number2), `history of version 1 shows version 2 too: ${ot}`);
});

test('changing the old version again answers 409; マイページ lists both', async () => {
  const form = await A.c.get('/usage-application/form');
  assert.equal(inputValue(form.text, 'changes'), A.number2, 'the form now changes the newest version');
  assert.equal(inputValue(form.text, 'terminals'), '3');
  const r = await A.c.post('/usage-application/finalize', {
    ...usageFields({ terminals: '4' }), changes: A.number1, idempotency_key: crypto.randomUUID(),
    csrf_token: csrfToken(form.text),
  });
  assert.equal(r.status, 409, pageText(r.text).slice(0, 500));
  assert.ok(pageText(r.text).includes(MSG['usage.already_changed']), `the reason: ${pageText(r.text)}`);
  const my = await A.c.get('/mypage');
  assert.equal(my.status, 200);
  assert.equal(linksTo(my.text, A.number1), 1, pageText(my.text));
  assert.equal(linksTo(my.text, A.number2), 1, pageText(my.text));
  assert.equal([...my.text.matchAll(/href="\/usage-applications\/U-\d{8}"/g)].length, 2);
  const text = pageText(my.text);
  assert.ok(text.includes('利用開始申請') && text.includes('変更申請'), text);
  await sleep(500);
  assert.equal((await usageMails(A.acct.email)).length, 2, 'one mail per finalized application');
});

test('another institution sees none of it', async () => {
  assert.ok(A.number1 && A.number2, 'needs the earlier tests');
  const acct = await newAccount('other', '医療法人べつの会 ひまわり医院');
  const c = await loggedIn(acct);
  for (const p of [`/usage-applications/${A.number1}`, `/usage-applications/${A.number2}`,
    `/usage-application/complete?number=${A.number1}`, `/usage-application/complete?number=${A.number2}`]) {
    const r = await c.get(p);
    assert.equal(r.status, 404, `${p} for another institution -> ${r.status}`);
    assert.ok(!pageText(r.text).includes('CAF1234567890'), `${p} leaks values`);
  }
  const my = await c.get('/mypage');
  assert.ok(!my.text.includes(A.number1) && !my.text.includes(A.number2), pageText(my.text));
  assert.ok(pageText(my.text).includes('申請はまだありません'), pageText(my.text));
  const form = await c.get('/usage-application/form');
  assert.equal(inputValue(form.text, 'customer_id'), '', 'no pre-fill from another institution');
  assert.equal(inputValue(form.text, 'changes'), '');

  // Someone else's idempotency key never leads to their application, nor blocks this one's: keys
  // belong to the institution (the probe saw a vendor's predictable key block another clinic).
  const key = await c.post('/usage-application/finalize', {
    ...usageFields(), changes: '', idempotency_key: A.confirmHidden.idempotency_key, csrf_token: csrfToken(form.text),
  });
  assert.equal(key.status, 303, `the same key at another institution is its own application: ${pageText(key.text).slice(0, 200)}`);
  assert.ok(!String(key.location ?? '').includes(A.number1), `another account's key redirected to ${key.location}`);
  assert.ok(!key.text.includes(A.number1));
  const own = /U-\d{8}/.exec(String(key.location))?.[0];
  assert.ok(own && own !== A.number1 && own !== A.number2, `its own number: ${key.location}`);
  const mineA = await A.c.get('/mypage');
  assert.equal([...mineA.text.matchAll(/href="\/usage-applications\/U-\d{8}"/g)].length, 2,
    'the first institution still has exactly its two applications');

  // A change of someone else's number is refused (its number is unknown here) and changes nothing.
  const ch = await c.post('/usage-application/finalize', {
    ...usageFields(), changes: A.number2, idempotency_key: crypto.randomUUID(), csrf_token: csrfToken(form.text),
  });
  assert.notEqual(ch.status, 303, `another institution changed ${A.number2}`);
  assert.ok(!pageText(ch.text).includes('CAF1234567890'));
  const mineA2 = await A.c.get('/mypage');
  assert.equal([...mineA2.text.matchAll(/href="\/usage-applications\/U-\d{8}"/g)].length, 2);
  const mineOther = (await c.get('/mypage')).text;
  assert.deepEqual([...mineOther.matchAll(/href="\/usage-applications\/(U-\d{8})"/g)].map((m) => m[1]), [own],
    'the other institution has its one application, and the refused change added nothing');
  // docs/pages.md: "another institution's application number answers 404" (the API answers 404 too).
  assert.equal(ch.status, 404, `change of another institution's ${A.number2} -> ${ch.status}`);
});

test('not logged in: every usage route answers 303 to /login', async () => {
  const c = srv.client();
  for (const p of ['/usage-application', '/usage-application/form', `/usage-application/complete?number=${A.number1 ?? 'U-00000001'}`,
    `/usage-applications/${A.number1 ?? 'U-00000001'}`]) {
    const r = await c.get(p);
    assert.equal(r.status, 303, `GET ${p} -> ${r.status}`);
    assert.equal(locationPath(r.location), '/login', `GET ${p}`);
  }
  const token = await c.csrf('/login'); // a visitor's valid token: the login check is what answers
  for (const p of ['/usage-application/confirm', '/usage-application/edit', '/usage-application/finalize']) {
    const r = await c.post(p, { ...usageFields(), changes: '', idempotency_key: crypto.randomUUID(), csrf_token: token });
    assert.equal(r.status, 303, `POST ${p} -> ${r.status}`);
    assert.equal(locationPath(r.location), '/login', `POST ${p}`);
  }
});

test('POST without a csrf_token (or a wrong one) answers 403 and stores nothing', async () => {
  const acct = await newAccount('csrf', '医療法人テスト会 くすのき医院');
  const c = await loggedIn(acct);
  const form = await c.get('/usage-application/form');
  const fields = { ...usageFields(), changes: '', idempotency_key: inputValue(form.text, 'idempotency_key') };
  for (const p of ['/usage-application/confirm', '/usage-application/edit', '/usage-application/finalize']) {
    const r = await c.post(p, fields);
    assert.equal(r.status, 403, `POST ${p} without csrf -> ${r.status}`);
    assert.ok(pageText(r.text).includes(MSG_CSRF), pageText(r.text));
    const w = await c.post(p, { ...fields, csrf_token: 'x'.repeat(43) });
    assert.equal(w.status, 403, `POST ${p} with a wrong csrf -> ${w.status}`);
  }
  // Another account's (valid for them) token does not work either.
  const other = await c.post('/usage-application/finalize', { ...fields, csrf_token: A.confirmHidden.csrf_token });
  assert.equal(other.status, 403, `another session's csrf token -> ${other.status}`);
  const my = await c.get('/mypage');
  assert.ok(pageText(my.text).includes('申請はまだありません'), pageText(my.text));
  await sleep(500);
  assert.equal((await usageMails(acct.email)).length, 0);
  // The same fields with the token work.
  const ok = await c.post('/usage-application/finalize', { ...fields, csrf_token: csrfToken(form.text) });
  assert.equal(ok.status, 303, pageText(ok.text).slice(0, 500));
  assert.match(ok.location, USAGE_NUMBER_RE);
});
