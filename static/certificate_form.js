// 証明書発行申請情報の入力画面 and 電子証明書の更新申請: the fee total as the count (or the
// certificates ticked) changes, the 市区町村 choices of the chosen 都道府県, both shown in front of
// 所在地, and the address filled from a typed 郵便番号. The renewal form has no 都道府県 to choose:
// its prefecture is the last application's (data-prefecture), and a postcode elsewhere is left to
// the server, which says why on 次へ. Without this script the page still works: the server
// computes the fee on the next page, and the "この都道府県の市区町村を表示する" and
// "郵便番号から住所を入力" buttons re-render the form.
(function () {
  'use strict';
  var form = document.getElementById('certificate-form') || document.getElementById('renewal-form');
  if (!form) return;
  document.documentElement.classList.add('js');

  var fee = parseInt(form.dataset.fee, 10);
  var taxRate = parseInt(form.dataset.tax, 10);
  var count = document.getElementById('certificates');
  var ticks = form.querySelectorAll('input[type=checkbox][name=certificate]');
  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function chosen() {
    if (ticks.length) return Array.prototype.filter.call(ticks, function (t) { return t.checked; }).length;
    var typed = (count.value || '').normalize('NFKC').trim();
    return /^\d+$/.test(typed) ? parseInt(typed, 10) : 0;
  }
  function updateFee() {
    var n = chosen();
    var shownCount = document.getElementById('fee-count');
    if (shownCount) shownCount.textContent = String(n);
    var ok = n >= 1 && n <= 99 && fee >= 0;
    var subtotal = ok ? fee * n : 0;
    var tax = ok ? Math.floor(subtotal * taxRate / 100) : 0;  // tax once on the total, rounded down
    document.getElementById('fee-subtotal').textContent = ok ? grouped(subtotal) : '-';
    document.getElementById('fee-tax').textContent = ok ? grouped(tax) : '-';
    document.getElementById('fee-total').textContent = ok ? grouped(subtotal + tax) : '-';
  }
  if (ticks.length) {
    Array.prototype.forEach.call(ticks, function (t) { t.addEventListener('change', updateFee); });
  } else {
    count.addEventListener('input', updateFee);
  }
  updateFee();

  var prefecture = document.getElementById('prefecture');
  var municipality = document.getElementById('municipality');
  var addressPrefix = document.getElementById('address_line-prefix');
  // The chosen 都道府県 and 市区町村 as fixed text in front of 所在地.
  function updatePrefix() {
    var p = !prefecture ? (form.dataset.prefectureName || '')
      : prefecture.selectedIndex > 0 ? prefecture.options[prefecture.selectedIndex].text : '';
    var m = municipality.selectedIndex > 0 ? municipality.options[municipality.selectedIndex].text : '';
    addressPrefix.textContent = p.replace(/^\d+\s*/, '') + m;
  }
  function loadMunicipalities(code, selected) {
    while (municipality.options.length > 1) municipality.remove(1);
    updatePrefix();
    if (!code) return Promise.resolve();
    return fetch('/api/v1/municipalities?prefecture=' + encodeURIComponent(code), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        data.items.forEach(function (m) { municipality.add(new Option(m.name, m.code, false, m.code === selected)); });
        updatePrefix();
      });
  }
  if (prefecture) prefecture.addEventListener('change', function () { loadMunicipalities(prefecture.value, ''); });
  municipality.addEventListener('change', updatePrefix);

  // 郵便番号: on 7 digits (full-width and any dash accepted, as the server does), fill 都道府県,
  // 市区町村 and, when 所在地 is empty and the postcode names one 町域, that 町域.
  var postal = document.getElementById('postal_code');
  var address = document.getElementById('address_line');
  var status = document.getElementById('postal_code-status');
  var looked = '';
  postal.addEventListener('input', function () {
    var digits = (postal.value || '').normalize('NFKC').replace(/^\u3012/, '').replace(/[\s\-\u2010-\u2015\u2212\u30fc\uff70]/g, '');
    if (!/^\d{7}$/.test(digits) || digits === looked) return;
    looked = digits;
    fetch('/api/v1/postcodes/' + digits, { credentials: 'same-origin' })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (digits !== looked) return;
        if (!res.ok) { status.textContent = res.body.detail || ''; return; }
        var found = res.body;
        var filled;
        if (prefecture) {
          prefecture.value = String(found.prefecture.code);
          filled = loadMunicipalities(prefecture.value, found.municipality.code);
        } else {
          // 更新申請: the prefecture stays; a postcode elsewhere is the server's to refuse.
          if (String(found.prefecture.code) !== form.dataset.prefecture) { status.textContent = ''; return; }
          municipality.value = found.municipality.code;
          updatePrefix();
          filled = Promise.resolve();
        }
        return filled.then(function () {
          if (!address.value.trim() && found.towns.length === 1) address.value = found.towns[0];
          status.textContent = (form.dataset.filled || '').replace('{}', found.postal_code);
        });
      })
      .catch(function () { looked = ''; });
  });
})();
