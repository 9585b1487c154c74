// The back office through its pages (docs/pages.md 「Back office (/admin)」): operators made with
// `onshi operator create` log in with password + TOTP, review an application a clinic made through
// the portal, issue it (a second operator: review.separate_issuer), print the notice letters once,
// record the registered mail, and the clinic's マイページ shows the mailing; the audit log page
// verifies the chain. Role checks and the failed login are checked on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  stopServer, csrfToken, inputValue, pageText, locationPath, loadMessages, hiddenInputs, formContaining, jstDate,
  fieldError,
} from '../support/harness.mjs';
import {
  startServerWithCa, createOperator as createOp, newClinic, applyForCertificates, totp,
} from '../support/back_office.mjs';

const MSG = loadMessages();
const PASSPHRASE = 'Kusunoki-admin-pages-CA-passphrase';
const OPERATOR_PASSWORD = 'operator passphrase for tests 2026';
const TRACKING = '123456789012';

let srv;
const S = {}; // shared by the tests below, which run in order

const createOperator = (login, name, role) => createOp(srv, { login, name, role, password: OPERATOR_PASSWORD });

/** POST /admin/login with the login form's token; returns the response. */
async function adminLogin(c, login, code, password = OPERATOR_PASSWORD) {
  const page = await c.get('/admin/login');
  assert.equal(page.status, 200);
  return c.post('/admin/login', { csrf_token: csrfToken(page.text), login, password, totp_code: code });
}

/** POST an action form of the application page (found by its button label) with extra fields. */
async function act(c, number, buttonLabel, fields = {}) {
  const page = await c.get(`/admin/applications/${number}`);
  assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
  const form = formContaining(page.text, buttonLabel);
  assert.ok(form, `a form with ${buttonLabel} on the page of ${number}`);
  return c.post(`/admin/applications/${number}`, { ...hiddenInputs(form.html), ...fields });
}

/**
 * 承認 / 発行 as an operator does them: the detail page links to the confirmation page (GET), whose
 * form (found by its button label) posts the decision with the confirmation's token.
 */
async function confirmAndAct(c, number, action, confirmLabel, fields = {}) {
  const detail = await c.get(`/admin/applications/${number}`);
  assert.ok(detail.text.includes(`href="/admin/applications/${number}/${action}"`), `a link to the ${action} confirmation`);
  const page = await c.get(`/admin/applications/${number}/${action}`);
  assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
  const form = formContaining(page.text, confirmLabel);
  assert.ok(form, `a form with ${confirmLabel} on the confirmation of ${number}`);
  assert.ok(hiddenInputs(form.html).confirmed, 'the confirmation token');
  return { page, response: await c.post(`/admin/applications/${number}`, { ...hiddenInputs(form.html), ...fields }) };
}

// ---------------------------------------------------------------------------------------------

before(async () => {
  ({ srv } = await startServerWithCa({ name: 'admin_pages', passphrase: PASSPHRASE }));
  S.sato = await createOperator('sato', '佐藤', 'admin');
  S.suzuki = await createOperator('suzuki', '鈴木', 'issuer');
});
after(async () => { await stopServer(srv); });

test('without a session every page goes to the login; a wrong code keeps the login only', async () => {
  const c = srv.client();
  for (const p of ['/admin', '/admin/applications', '/admin/letters', '/admin/audit']) {
    const r = await c.get(p);
    assert.equal(r.status, 303, p);
    assert.equal(locationPath(r.location), '/admin/login', p);
  }
  const wrong = String((Number(totp(S.sato.totp_secret)) + 500000) % 1000000).padStart(6, '0');
  const r = await adminLogin(c, 'sato', wrong);
  assert.equal(r.status, 401);
  assert.ok(pageText(r.text).includes(MSG['operator_login.bad_credentials']), pageText(r.text).slice(0, 400));
  assert.equal(inputValue(r.text, 'login'), 'sato');
  assert.equal(inputValue(r.text, 'password') ?? '', '');
  assert.ok(!r.text.includes(OPERATOR_PASSWORD) && !r.text.includes(wrong));
  assert.equal(c.cookie('onshi_admin'), undefined);
});

test('an admin logs in with password and TOTP and sees the dashboard', async () => {
  const c = srv.client();
  const r = await adminLogin(c, 'sato', totp(S.sato.totp_secret));
  assert.equal(r.status, 303, pageText(r.text).slice(0, 400));
  assert.equal(locationPath(r.location), '/admin');
  const attrs = c.cookieAttributes('onshi_admin');
  assert.equal(attrs.path, '/admin');
  assert.equal(String(attrs.samesite).toLowerCase(), 'strict');
  assert.ok('httponly' in attrs, JSON.stringify(attrs));
  const dash = await c.get('/admin');
  assert.equal(dash.status, 200);
  assert.equal(dash.headers.get('cache-control'), 'no-store');
  const text = pageText(dash.text);
  for (const s of ['onshi 運営', '佐藤', '管理', 'ダッシュボード', '審査一覧', '通知書・書留', '監査ログ', 'ログアウト']) {
    assert.ok(text.includes(s), `${s} in ${text.slice(0, 300)}`);
  }
  S.admin = c;
});

test('a clinic applies; the admin approves on the detail page', async () => {
  const clinic = await newClinic(srv, 'admin', { institutionName: '医療法人テスト会 管理画面クリニック' });
  S.number = await applyForCertificates(clinic, 1);
  S.clinic = clinic.c;

  const dash = pageText((await S.admin.get('/admin')).text);
  assert.ok(dash.includes(S.number) && dash.includes('管理画面クリニック'), dash.slice(0, 600));
  const detail = await S.admin.get(`/admin/applications/${S.number}`);
  assert.ok(pageText(detail.text).includes('〒104-0061 東京都中央区銀座1-2-3 オンシビル5階'), pageText(detail.text).slice(0, 800));

  const noReason = await act(S.admin, S.number, '差戻す', { note: '' });
  assert.equal(noReason.status, 422);
  assert.ok(pageText(noReason.text).includes(MSG['review.note_required']));

  // The old one-click form, posted without the confirmation: the confirmation page, nothing done.
  const direct = await S.admin.post(`/admin/applications/${S.number}`, { csrf_token: csrfToken(detail.text), action: 'approve' });
  assert.equal(direct.status, 200);
  assert.ok(pageText(direct.text).includes('この申請を承認しますか'), pageText(direct.text).slice(0, 400));
  assert.ok(pageText((await S.admin.get(`/admin/applications/${S.number}`)).text).includes(MSG['certificate_status.applied']));

  const { page: confirm, response: ok } = await confirmAndAct(S.admin, S.number, 'approve', '承認を確定する');
  const asked = pageText(confirm.text);
  for (const s of [S.number, '管理画面クリニック', '1枚', '取り消せません']) assert.ok(asked.includes(s), `${s} in ${asked.slice(0, 600)}`);
  assert.equal(ok.status, 303, pageText(ok.text).slice(0, 400));
  assert.equal(locationPath(ok.location), `/admin/applications/${S.number}?done=approve`);
  const after = await S.admin.get(locationPath(ok.location));
  assert.ok(pageText(after.text).includes('承認しました'));
  // The approver is warned that another operator has to issue.
  assert.ok(pageText(after.text).includes('あなたが承認しました'));
});

test('an issuer issues, prints the letter once and records the registered mail', async () => {
  const c = srv.client();
  assert.equal((await adminLogin(c, 'suzuki', totp(S.suzuki.totp_secret))).status, 303);
  assert.equal((await c.get('/admin/audit')).status, 403, 'an issuer does not read the audit log');

  const { page: confirm, response: issued } = await confirmAndAct(c, S.number, 'issue', '発行を確定する（1枚）');
  const asked = pageText(confirm.text);
  for (const s of ['1枚 1,500円（税別）', '取り消せません', '管理画面クリニック']) assert.ok(asked.includes(s), `${s} in ${asked.slice(0, 600)}`);
  assert.equal(issued.status, 303, pageText(issued.text).slice(0, 600));
  assert.ok(pageText((await c.get(locationPath(issued.location))).text).includes(`${S.number}-01`));

  const letters = await c.get('/admin/letters');
  assert.equal(letters.status, 200);
  assert.ok(pageText(letters.text).includes(S.number));
  // The letters are chosen (a checkbox each, a GET form), then the count is confirmed.
  const choose = formContaining(letters.text, '選んだ通知書を印刷用PDFでダウンロード');
  assert.ok(choose, 'the choice of letters');
  const box = choose.html.match(new RegExp(`name="(n\\d+)" value="${S.number}"`));
  assert.ok(box, `a checkbox for ${S.number}`);
  const none = await c.get('/admin/letters/print');
  assert.equal(none.status, 422);
  assert.ok(pageText(none.text).includes(MSG['office_confirm.no_letters_chosen']));
  const confirmPrint = await c.get(`/admin/letters/print?${box[1]}=${S.number}`);
  assert.equal(confirmPrint.status, 200, pageText(confirmPrint.text).slice(0, 400));
  assert.ok(pageText(confirmPrint.text).includes('1件の通知書'), pageText(confirmPrint.text).slice(0, 400));
  const printForm = formContaining(confirmPrint.text, '1件をダウンロードする');
  assert.ok(printForm);
  const pdf = await c.request('POST', '/admin/letters/print', {
    body: new URLSearchParams(hiddenInputs(printForm.html)).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
  assert.equal(pdf.status, 200, pdf.text.slice(0, 300));
  assert.equal(pdf.headers.get('content-type'), 'application/pdf');
  assert.match(pdf.headers.get('content-disposition'), /^attachment; filename="notice-letters-\d{8}-\d{4}\.pdf"$/);
  assert.ok(pdf.text.startsWith('%PDF-'));
  // Printed once: the same confirmation again prints nothing and says why.
  const again = await c.post('/admin/letters/print', hiddenInputs(printForm.html));
  assert.equal(again.status, 409);
  assert.ok(pageText(again.text).includes(MSG['office_confirm.letters_changed']), pageText(again.text).slice(0, 400));

  // 新しい取得コードで再印刷, confirmed on its own page: a new PDF, audited.
  const reprintPage = await c.get(`/admin/letters/reprint?number=${S.number}`);
  assert.equal(reprintPage.status, 200, pageText(reprintPage.text).slice(0, 400));
  assert.ok(pageText(reprintPage.text).includes('使えなくなります'));
  const reprintForm = formContaining(reprintPage.text, '新しい取得コードで再印刷する');
  const reprinted = await c.request('POST', '/admin/letters/reprint', {
    body: new URLSearchParams(hiddenInputs(reprintForm.html)).toString(),
    contentType: 'application/x-www-form-urlencoded',
  });
  assert.equal(reprinted.status, 200, reprinted.text.slice(0, 300));
  assert.match(reprinted.headers.get('content-disposition'), new RegExp(`filename="notice-letter-${S.number}-reprint-\\d{8}-\\d{4}\\.pdf"`));
  assert.ok(reprinted.text.startsWith('%PDF-'));

  const page = await c.get('/admin/letters');
  const mailForm = formContaining(page.text, '書留を記録する');
  assert.ok(mailForm, 'a registered-mail form for the printed letter');
  const fields = hiddenInputs(mailForm.html);
  assert.equal(fields.number, S.number);
  assert.equal(inputValue(mailForm.html, 'mailed_on'), jstDate(0).iso);
  const bad = await c.post('/admin/mail', { ...fields, tracking_number: '12-34', mailed_on: jstDate(0).iso });
  assert.equal(bad.status, 422);
  assert.ok(pageText(bad.text).includes(MSG['review.tracking_number']));
  assert.equal(inputValue(formContaining(bad.text, '書留を記録する').html, 'tracking_number'), '12-34');
  S.mailedOn = jstDate(0);
  const ok = await c.post('/admin/mail', { ...fields, tracking_number: '1234-5678-9012', mailed_on: S.mailedOn.iso });
  assert.equal(ok.status, 303, pageText(ok.text).slice(0, 400));
});

test('差戻し on the page; the clinic corrects the application and it is 申請済 again under its number', async () => {
  const NOTE = '送付先の所在地に建物名を記入してください。';
  const clinic = await newClinic(srv, 'resubmit', { institutionName: '医療法人テスト会 再申請クリニック' });
  const number = await applyForCertificates(clinic, 1);
  const back = await act(S.admin, number, '差戻す', { note: NOTE });
  assert.equal(back.status, 303, pageText(back.text).slice(0, 400));

  // The clinic's detail page offers the correction; the form is filled with what was sent.
  const detail = await clinic.c.get(`/certificate-applications/${number}`);
  assert.ok(pageText(detail.text).includes(NOTE), 'the reason on the detail page');
  assert.ok(pageText(detail.text).includes('内容を修正して再申請する'), pageText(detail.text).slice(0, 600));
  // 差戻し is marked as the clinic's to act on, with what to do next, here and on マイページ.
  assert.ok(pageText(detail.text).includes('要対応'), 'detail: 要対応');
  assert.ok(pageText(detail.text).includes('申請内容の修正が必要です'), 'detail: 次にすること');
  const my = pageText((await clinic.c.get('/mypage')).text);
  assert.ok(my.includes('要対応'), `マイページ: 要対応 ${my.slice(0, 600)}`);
  const form = await clinic.c.get(`/certificate-applications/${number}/correct`);
  assert.equal(form.status, 200, pageText(form.text).slice(0, 400));
  const formText = pageText(form.text).replace(/\s+/g, '');
  assert.ok(formText.includes(`差戻しされた申請（申請番号${number}）の修正`) && formText.includes(NOTE), formText.slice(0, 600));
  assert.equal(inputValue(form.text, 'resubmits'), number);
  assert.equal(inputValue(form.text, 'institution_name'), '医療法人テスト会 再申請クリニック');
  assert.equal(inputValue(form.text, 'postal_code'), '104-0061');
  const fields = {
    classification: '2', prefecture: '13', municipality: inputValue(form.text, 'municipality') || '131024',
    postal_code: '１０４－００６１', address_line: '銀座1-2-3 オンシビル5階', institution_code: inputValue(form.text, 'institution_code'),
    institution_name: '医療法人テスト会 再申請クリニック', department: inputValue(form.text, 'department'),
    contact_name: inputValue(form.text, 'contact_name'), phone: 'でんわ', email: inputValue(form.text, 'email'),
    signature_name: inputValue(form.text, 'signature_name'), certificates: '1',
    idempotency_key: inputValue(form.text, 'idempotency_key'), resubmits: number, csrf_token: csrfToken(form.text),
  };

  // A wrong 電話番号: the message beside it, the typed values and the resubmission kept.
  const bad = await clinic.c.post('/certificate-application/confirm', fields);
  assert.equal(bad.status, 422);
  assert.ok(fieldError(bad.text, 'phone'), 'a message beside 電話番号');
  assert.equal(inputValue(bad.text, 'phone'), 'でんわ');
  assert.equal(inputValue(bad.text, 'resubmits'), number);
  assert.equal((await S.admin.get(`/admin/applications/${number}`)).status, 200);

  const conf = await clinic.c.post('/certificate-application/confirm', { ...fields, phone: '03-1234-5678', csrf_token: csrfToken(bad.text) });
  assert.equal(conf.status, 200, pageText(conf.text).slice(0, 400));
  assert.ok(pageText(conf.text).replace(/\s+/g, '').includes(`差戻しされた申請（申請番号${number}）を、以下の内容で再申請します。`));
  const close = formContaining(conf.text, '閉じる');
  assert.equal(hiddenInputs(close.html).resubmits, number);
  const sub = await clinic.c.post('/certificate-application/submit', hiddenInputs(close.html));
  assert.equal(sub.status, 303, pageText(sub.text).slice(0, 400));
  assert.equal(locationPath(sub.location), `/certificate-application/complete?number=${number}`);
  // A second click on 閉じる: the same result, nothing more.
  const again = await clinic.c.post('/certificate-application/submit', hiddenInputs(close.html));
  assert.equal(again.status, 303, pageText(again.text).slice(0, 400));

  const after = pageText((await clinic.c.get(`/certificate-applications/${number}`)).text);
  assert.ok(after.includes(MSG['certificate_status.applied']) && !after.includes(NOTE), after.slice(0, 600));
  assert.ok(!after.includes('内容を修正して再申請する'), 'no second correction');
  const admin = pageText((await S.admin.get(`/admin/applications/${number}`)).text);
  assert.ok(admin.includes('certificate_application.resubmit') && admin.includes(MSG['certificate_status.applied']),
    admin.slice(0, 1200));
  // Only a 差戻し application can be corrected.
  assert.equal((await clinic.c.get(`/certificate-applications/${number}/correct`)).status, 409);
  // The acceptance mail again, saying it is the corrected application (the first was the application).
  const mail = await srv.waitForMail({ to: clinic.acct.email, subjectIncludes: `電子証明書発行申請受付のお知らせ（${number}）`, nth: 2 });
  assert.ok(mail.body.includes('修正後の内容で再申請を受け付けました'), mail.body);
});

test('マイページ shows the mailing; the audit log holds and verifies', async () => {
  const my = pageText((await S.clinic.get('/mypage')).text);
  // The date posted, which stays yesterday's after midnight.
  const expected = `通知書発送済（発送日 ${S.mailedOn.shown}、書留番号 ${TRACKING.slice(0, 4)}-${TRACKING.slice(4, 8)}-${TRACKING.slice(8)}）`;
  assert.ok(my.includes(expected), `${expected} in ${my}`);
  assert.ok(my.includes(`${S.number}-01`), 'the 発行番号 in the certificate list');

  const audit = await S.admin.get(`/admin/audit?subject=${S.number}`);
  assert.equal(audit.status, 200);
  const text = pageText(audit.text);
  for (const action of ['application.approve', 'letter.print', 'letter.reprint', 'letter.mailed']) {
    assert.ok(text.includes(action), `${action} in ${text.slice(0, 800)}`);
  }
  assert.match(text, /OK：全 \d+件/);

  const out = await S.admin.post('/admin/logout', { csrf_token: csrfToken((await S.admin.get('/admin')).text) });
  assert.equal(out.status, 303);
  assert.equal((await S.admin.get('/admin')).status, 303);
});
