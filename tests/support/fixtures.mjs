// Test data and the texts the pages must show: valid and invalid institution codes (with their
// check digit), fresh e-mail addresses and strong passwords unique within the process, full-width
// forms of codes and letters as people type them, the fixed error messages, and the message
// catalogue data/messages.ja.toml read as { 'section.key': text }.

import fs from 'node:fs';
import path from 'node:path';
import { SOURCE_DIR } from './processes.mjs';

export const MSG_BAD_LOGIN = 'メールアドレスまたはパスワードが正しくありません。';
export const MSG_LOCKED = 'ログインの試行回数が上限に達しました。しばらく時間をおいてから再度お試しください。';
export const MSG_CSRF = '画面の有効期限が切れました';
export const MSG_BAD_TOKEN = 'このリンクは無効か、有効期限が切れています';
export const MSG_NOT_FOUND = 'ページが見つかりません';
export const MSG_METHOD = 'この操作は許可されていません';
export const MSG_BAD_FORM = '送信された内容を読み取れませんでした';

// ---------------------------------------------------------------------------------------------
// Institution codes: 2 digits prefecture + 1 digit 点数表 + 7 digits, the last a check digit over
// the 6 digits after the first 3 (weights 2,1,2,1,... from the rightmost, digits of products
// summed, check = (10 - sum % 10) % 10). 1310123455 is valid.

export function checkDigit(six) {
  const d = String(six);
  if (!/^\d{6}$/.test(d)) throw new Error(`need 6 digits, got ${six}`);
  let sum = 0;
  for (let i = 0; i < 6; i++) {
    const digit = Number(d[5 - i]);
    const p = digit * (i % 2 === 0 ? 2 : 1);
    sum += Math.floor(p / 10) + (p % 10);
  }
  return (10 - (sum % 10)) % 10;
}

/** A valid 10-digit institution code from 6 digits (prefix: prefecture + 点数表, default 東京都 医科). */
export function institutionCode(six, prefix = '131') {
  const d = String(six).padStart(6, '0');
  return `${prefix}${d}${checkDigit(d)}`;
}

/** The same code with a wrong check digit. */
export function badCheckDigitCode(six, prefix = '131') {
  const good = institutionCode(six, prefix);
  const wrong = (Number(good[9]) + 1) % 10;
  return good.slice(0, 9) + wrong;
}

let codeCounter = Math.floor(Math.random() * 400000) + 100000;
/** A fresh valid institution code (unique within this process). */
export function freshInstitutionCode(prefix = '131') {
  codeCounter += 1 + Math.floor(Math.random() * 7);
  return institutionCode(String(codeCounter % 1000000).padStart(6, '0'), prefix);
}

let emailCounter = 0;
/** A fresh e-mail address (unique within this process). */
export function freshEmail(tag = 'user') {
  emailCounter += 1;
  return `${tag}${emailCounter}.${process.pid}.${Date.now().toString(36)}@clinic.example.jp`;
}

/** A password that passes the policy (12+ characters, not a common one). */
export function strongPassword(tag = '') {
  return `Kusunoki-${tag}${Math.random().toString(36).slice(2, 10)}-Tsubame7`;
}

/** Full-width digits (１３１...) with full-width hyphens, as people type them. */
export function toFullWidthCode(code) {
  const fw = [...code].map((c) => String.fromCharCode(c.charCodeAt(0) - 0x30 + 0xff10)).join('');
  // 都道府県2 － 点数表1 － 医療機関コード7
  return `${fw.slice(0, 2)}－${fw.slice(2, 3)}－${fw.slice(3)}`;
}

/** Digits only (for comparing institution codes however they are displayed). */
export function digitsOnly(s) {
  return String(s).replace(/[^0-9]/g, '');
}

/** Half-width ASCII letters and digits to full-width (ＣＡＦ１２３...). */
export function toFullWidth(s) {
  return [...String(s)].map((c) => (/[0-9A-Za-z]/.test(c)
    ? String.fromCharCode(c.charCodeAt(0) - 0x20 + 0xff00) : c)).join('');
}

/** The message catalogue data/messages.ja.toml as { 'section.key': text } (the subset of TOML it uses:
 * [section] headers and `key = "text"` lines, keys bare or quoted). */
export function loadMessages(file = path.join(SOURCE_DIR, 'data', 'messages.ja.toml')) {
  const out = {};
  let section = '';
  for (const raw of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) { section = sec[1].trim(); continue; }
    const kv = /^("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.-]+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:#.*)?$/.exec(line);
    if (!kv) continue;
    const key = kv[1].startsWith('"') ? JSON.parse(kv[1]) : kv[1];
    out[section ? `${section}.${key}` : key] = JSON.parse(kv[2]);
  }
  return out;
}
