// The two applications a clinic makes through the pages, as the tests fill them in: the usage
// application (オンライン資格確認利用開始・変更申請: titles, fields, the start date the form
// shows back, finalizing one through the pages) and the certificate application (電子証明書発行申請:
// titles, fields, the fee with its tax), plus the calendar both depend on: today in Japan and the
// business days (weekends, 国民の祝日 and 年末年始 excluded) that date a 発行通知書.

import { csrfToken, formContaining, hiddenInputs, inputValue, pageText, showsDate } from './html.mjs';

// ---------------------------------------------------------------------------------------------
// オンライン資格確認利用開始・変更申請 (docs/pages.md)

export const USAGE_TITLE = 'オンライン資格確認利用開始・変更申請';
export const USAGE_PROCEED = 'オンライン資格確認などシステムの利用申請画面へ進む';
export const USAGE_HEADINGS = [
  'オンライン資格確認・医療情報化支援基金関係', '医療機関等向けポータルサイト', USAGE_TITLE,
];
export const SUBJECT_USAGE_ACCEPTED = '【医療機関等向けポータルサイト】オンライン資格確認利用申請受付のお知らせ';
export const USAGE_NUMBER_RE = /U-\d{8}/;
export const USAGE_FIELDS = ['line_type', 'customer_id', 'start_date', 'terminals', 'vendor_name',
  'vendor_contact', 'vendor_phone'];


/** The calendar date in Japan (UTC+9) `days` after today: { y, m, d, iso: 'YYYY-MM-DD', slash: 'YYYY/M/D' }. */
export function jstDate(days = 0) {
  const t = new Date(Date.now() + 9 * 3600 * 1000 + days * 86400 * 1000);
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth() + 1;
  const d = t.getUTCDate();
  return {
    y, m, d,
    iso: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
    slash: `${y}/${m}/${d}`,
    // As pages, mails and letters write it: 2026年12月8日（火）.
    shown: `${y}年${m}月${d}日（${'日月火水木金土'[t.getUTCDay()]}）`,
  };
}


/** Valid form fields of a usage application (as posted by the HTML form), with overrides. */
export function usageFields(overrides = {}) {
  return {
    line_type: 'flets_next_east',
    customer_id: 'CAF1234567890',
    start_date: jstDate(30).iso,
    terminals: '2',
    vendor_name: 'テストベンダ株式会社',
    vendor_contact: '山田 太郎',
    vendor_phone: '03-1234-5678',
    ...overrides,
  };
}

/**
 * What the usage form's <input type="date"> shows for a typed start date: a real date typed as
 * YYYY/M/D (full-width too) comes back as YYYY-MM-DD, the only form a date input can display;
 * anything else comes back exactly as typed (docs/pages.md).
 */
export function shownStartDate(typed) {
  if (typed === undefined) return '';
  const m = /^\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})\s*$/.exec(String(typed).normalize('NFKC'));
  if (!m) return typed;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return typed;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Finalizes a usage application through the pages: GET /usage-application/form, POST confirm,
 * POST finalize with the confirmation page's hidden fields. Returns its number (U-XXXXXXXX).
 */
export async function finalizeUsageApplication(client, overrides = {}) {
  const form = await client.get('/usage-application/form');
  if (form.status !== 200) throw new Error(`usage form -> ${form.status}`);
  const conf = await client.post('/usage-application/confirm', {
    ...usageFields(overrides), changes: inputValue(form.text, 'changes') ?? '',
    idempotency_key: inputValue(form.text, 'idempotency_key'), csrf_token: csrfToken(form.text),
  });
  if (conf.status !== 200) throw new Error(`usage confirm -> ${conf.status}: ${pageText(conf.text).slice(0, 500)}`);
  const fin = formContaining(conf.text, '上記の内容で確定する');
  if (!fin) throw new Error('no 上記の内容で確定する form on the usage confirmation page');
  const r = await client.post('/usage-application/finalize', hiddenInputs(fin.html));
  const number = USAGE_NUMBER_RE.exec(r.location ?? '')?.[0];
  if (r.status !== 303 || !number) throw new Error(`usage finalize -> ${r.status} ${r.location}: ${pageText(r.text).slice(0, 500)}`);
  return number;
}

// ---------------------------------------------------------------------------------------------
// 電子証明書発行申請 (docs/pages.md, the guide's step 3)

export const CERT_FLOW_TITLE = '電子証明書発行申請の流れ';
export const CERT_FORM_TITLE = '証明書発行申請情報の入力画面（オンライン請求ネットワーク関連システム）';
export const CERT_PROCEED = '電子証明書の発行へ進む';
export const CERT_YES = 'はい 電子証明書の申請画面へ進む';
export const CERT_NO = 'いいえ オンライン資格確認の申請画面へ進む';
export const CERT_QUESTION = '電子証明書を利用いただくには、オンライン資格確認の利用申請が必要です。'
  + 'オンライン資格確認の利用申請は、行いましたか。';
export const CERT_NEED_USAGE = 'オンライン資格確認の申請画面へ進む';
export const CPIPCS_TITLE = 'オンライン請求ネットワーク関連システム共通認証局運用規程';
export const SUBJECT_CERT_ACCEPTED = '【医療機関等向けポータルサイト】電子証明書発行申請受付のお知らせ';
export const CERT_NUMBER_RE = /C-\d{8}/;
export const CERT_FIELDS = ['classification', 'prefecture', 'municipality', 'postal_code', 'address_line',
  'institution_code', 'institution_name', 'department', 'contact_name', 'phone', 'email', 'signature_name',
  'certificates'];
export const CERT_FEE_YEN = 1500; // data/fees.toml: 1件につき1,500円（税別）, 消費税10%

/** 3 digits grouped with commas (4,950). */
export function yen(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** { subtotal, tax, total } of n certificates: tax once on the total, rounded down. */
export function certificateFee(n, fee = CERT_FEE_YEN, taxPercent = 10) {
  const subtotal = fee * n;
  const tax = Math.floor((subtotal * taxPercent) / 100);
  return { subtotal, tax, total: subtotal + tax };
}

/** Valid fields of the certificate form for an account (as the HTML form posts them), with overrides. */
export function certificateFields(acct, overrides = {}) {
  return {
    classification: '2',
    prefecture: String(Number(acct.institutionCode.slice(0, 2))),
    municipality: '131024', // 中央区 (東京都)
    postal_code: '104-0061', // 中央区銀座: where the notice letter goes by registered mail
    address_line: '銀座1-2-3 オンシビル5階',
    institution_code: acct.institutionCode,
    institution_name: acct.institutionName,
    department: '医事課',
    contact_name: '佐藤 花子',
    phone: '03-1234-5678',
    email: acct.email,
    signature_name: 'オンライン資格確認利用アイコン',
    certificates: '3',
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------
// Business days

// 国民の祝日 (including 振替休日 and 国民の休日) of 2026 (令和8年) and 2027 (令和9年), as published by
// 内閣府 「国民の祝日について」 https://www8.cao.go.jp/chosei/shukujitsu/gaiyou.html (and its CSV
// https://www8.cao.go.jp/chosei/shukujitsu/syukujitsu.csv). Written out by hand, not computed.
export const JP_HOLIDAYS = new Map([
  ['2026-01-01', '元日'], ['2026-01-12', '成人の日'], ['2026-02-11', '建国記念の日'], ['2026-02-23', '天皇誕生日'],
  ['2026-03-20', '春分の日'], ['2026-04-29', '昭和の日'], ['2026-05-03', '憲法記念日'], ['2026-05-04', 'みどりの日'],
  ['2026-05-05', 'こどもの日'], ['2026-05-06', '休日'], ['2026-07-20', '海の日'], ['2026-08-11', '山の日'],
  ['2026-09-21', '敬老の日'], ['2026-09-22', '休日'], ['2026-09-23', '秋分の日'], ['2026-10-12', 'スポーツの日'],
  ['2026-11-03', '文化の日'], ['2026-11-23', '勤労感謝の日'],
  ['2027-01-01', '元日'], ['2027-01-11', '成人の日'], ['2027-02-11', '建国記念の日'], ['2027-02-23', '天皇誕生日'],
  ['2027-03-21', '春分の日'], ['2027-03-22', '休日'], ['2027-04-29', '昭和の日'], ['2027-05-03', '憲法記念日'],
  ['2027-05-04', 'みどりの日'], ['2027-05-05', 'こどもの日'], ['2027-07-19', '海の日'], ['2027-08-11', '山の日'],
  ['2027-09-20', '敬老の日'], ['2027-09-23', '秋分の日'], ['2027-10-11', 'スポーツの日'], ['2027-11-03', '文化の日'],
  ['2027-11-23', '勤労感謝の日'],
]);
const HOLIDAY_YEARS = new Set([2026, 2027]);

function isoOfUtc(t) {
  return t.toISOString().slice(0, 10);
}

/** True unless Saturday, Sunday, a 国民の祝日 or 年末年始 (12/29–1/3). Throws outside 2026–2027. */
export function isBusinessDay(iso) {
  const t = new Date(`${iso}T00:00:00Z`);
  const y = t.getUTCFullYear();
  if (!HOLIDAY_YEARS.has(y)) throw new Error(`no holiday list for ${y} in the tests (JP_HOLIDAYS)`);
  const dow = t.getUTCDay();
  if (dow === 0 || dow === 6) return false;
  if (JP_HOLIDAYS.has(iso)) return false;
  const m = t.getUTCMonth() + 1;
  const d = t.getUTCDate();
  if ((m === 12 && d >= 29) || (m === 1 && d <= 3)) return false;
  return true;
}

/** The date `n` business days after `iso` (the starting day never counts), as YYYY-MM-DD. */
export function addBusinessDays(iso, n) {
  let t = new Date(`${iso}T00:00:00Z`);
  let left = n;
  while (left > 0) {
    t = new Date(t.getTime() + 86400 * 1000);
    if (isBusinessDay(isoOfUtc(t))) left -= 1;
  }
  return isoOfUtc(t);
}

/** The expected 発行通知書 date of an application made today in Japan: today (JST) + 5 business days. */
export function expectedNoticeDate() {
  return addBusinessDays(jstDate(0).iso, 5);
}

/**
 * True when the text shows the notice date of an application made since `expected` was computed:
 * `expected`, or the one computed now when midnight in Japan fell in between.
 */
export function showsNoticeDate(text, expected) {
  return showsDate(text, expected) || showsDate(text, expectedNoticeDate());
}
