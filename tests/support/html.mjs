// Reading the HTML of a page without a browser: entity decoding, tags and their attributes, form
// inputs (values, hidden fields, the CSRF token, checked radios, select options), forms, buttons
// and links by their text, field errors, the page's plain text, and whether it shows a code or a
// date. Regular expressions over the markup the server writes (docs/pages.md), not a full parser.
// Imports nothing; http.mjs, server.mjs and applications.mjs build on it.

export function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Attributes of the first tag matching `<tag ... name="NAME" ...>`, or undefined. */
export function findTag(html, tag, name) {
  const re = new RegExp(`<${tag}\\b[^>]*>`, 'gi');
  for (const m of html.matchAll(re)) {
    const attrs = parseAttrs(m[0]);
    if (name === undefined || attrs.name === name) return attrs;
  }
  return undefined;
}

export function parseAttrs(tagText) {
  const attrs = {};
  const re = /([^\s=<>"'/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;
  const inner = tagText.replace(/^<\w+/, '').replace(/\/?>$/, '');
  for (const m of inner.matchAll(re)) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/** The value attribute of <input name="NAME">, '' when it has none, undefined when no such input. */
export function inputValue(html, name) {
  const a = findTag(html, 'input', name);
  if (!a) return undefined;
  return a.value ?? '';
}

/** The hidden csrf_token of a page. */
export function csrfToken(html) {
  const v = inputValue(html, 'csrf_token');
  if (!v) throw new Error(`no csrf_token in page:\n${html.slice(0, 2000)}`);
  return v;
}

/** The text of a page without tags, entities decoded, whitespace collapsed. */
export function pageText(html) {
  return decodeEntities(html
    .replace(/<script\b[\s\S]*?<\/script>/gi, ' ')
    .replace(/<style\b[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
}

/** The value of the checked radio button `name`, or undefined. */
export function checkedRadio(html, name) {
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = parseAttrs(m[0]);
    if (a.name === name && String(a.type).toLowerCase() === 'radio' && 'checked' in a) return a.value;
  }
  return undefined;
}

/** The text of <p class="field-error" id="FIELD-error">, or undefined when the page has none. */
export function fieldError(html, field) {
  for (const m of html.matchAll(/<p\b([^>]*)>([\s\S]*?)<\/p>/gi)) {
    const a = parseAttrs(`<p ${m[1]}>`);
    if (a.id === `${field}-error` && String(a.class ?? '').split(/\s+/).includes('field-error')) {
      return pageText(m[2]);
    }
  }
  return undefined;
}

/** Every field-error id on a page (['customer_id-error', ...]). */
export function fieldErrorIds(html) {
  const ids = [];
  for (const m of html.matchAll(/<p\b([^>]*)>/gi)) {
    const a = parseAttrs(`<p ${m[1]}>`);
    if (String(a.class ?? '').split(/\s+/).includes('field-error')) ids.push(a.id);
  }
  return ids;
}

/** Every <input type="hidden"> in html, name -> value. */
export function hiddenInputs(html) {
  const out = {};
  for (const m of html.matchAll(/<input\b[^>]*>/gi)) {
    const a = parseAttrs(m[0]);
    if (String(a.type).toLowerCase() === 'hidden' && a.name) out[a.name] = a.value ?? '';
  }
  return out;
}

/** The <form> containing `needle`: { attrs, html }, or undefined. */
export function formContaining(html, needle) {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
    if (m[0].includes(needle)) return { attrs: parseAttrs(/<form\b[^>]*>/i.exec(m[0])[0]), html: m[0] };
  }
  return undefined;
}

/** Attributes of the <button> whose text is `label`, or undefined. */
export function buttonWithText(html, label) {
  for (const m of html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
    if (pageText(m[2]) === label) return parseAttrs(`<button ${m[1]}>`);
  }
  return undefined;
}

/** Attributes of the first <a> whose text is `label` (whitespace collapsed), or undefined. */
export function linkNamed(html, label) {
  for (const m of html.matchAll(/<a\b([^>]*)>([\s\S]*?)<\/a>/gi)) {
    if (pageText(m[2]) === label) return parseAttrs(`<a ${m[1]}>`);
  }
  return undefined;
}

/** The options of <select name="NAME">: [{ value, label, selected }], or undefined without one. */
export function selectOptions(html, name) {
  for (const m of html.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/gi)) {
    if (parseAttrs(`<select ${m[1]}>`).name !== name) continue;
    return [...m[2].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/gi)].map((o) => {
      const a = parseAttrs(`<option ${o[1]}>`);
      return { value: a.value ?? pageText(o[2]), label: pageText(o[2]), selected: 'selected' in a };
    });
  }
  return undefined;
}

/** The value of the selected option of <select name="NAME"> ('' when none is marked). */
export function selectedValue(html, name) {
  return selectOptions(html, name)?.find((o) => o.selected)?.value ?? '';
}

/** True when the page text shows the 10-digit code, with or without separators between digits. */
export function showsCode(html, code) {
  const text = pageText(html);
  const re = new RegExp([...code].join('[\\s\\-‐－]?'));
  return re.test(text);
}

/** True when the text shows the date as YYYY-MM-DD, YYYY/M/D or YYYY年M月D日. */
export function showsDate(text, iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return text.includes(iso) || text.includes(`${y}/${m}/${d}`) || text.includes(`${y}年${m}月${d}日`);
}
