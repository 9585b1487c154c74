// 証明書発行申請情報の入力画面: the fee total as the count changes, and the 市区町村 choices of
// the chosen 都道府県. Without this script the page still works: the server computes the fee on
// the next page and the "この都道府県の市区町村を表示する" button reloads the choices.
(function () {
  'use strict';
  var form = document.getElementById('certificate-form');
  if (!form) return;
  document.documentElement.classList.add('js');

  var fee = parseInt(form.dataset.fee, 10);
  var taxRate = parseInt(form.dataset.tax, 10);
  var count = document.getElementById('certificates');
  function grouped(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function updateFee() {
    var typed = (count.value || '').normalize('NFKC').trim();
    var n = /^\d+$/.test(typed) ? parseInt(typed, 10) : 0;
    var ok = n >= 1 && n <= 99 && fee >= 0;
    var subtotal = ok ? fee * n : 0;
    var tax = ok ? Math.floor(subtotal * taxRate / 100) : 0;  // tax once on the total, rounded down
    document.getElementById('fee-subtotal').textContent = ok ? grouped(subtotal) : '-';
    document.getElementById('fee-tax').textContent = ok ? grouped(tax) : '-';
    document.getElementById('fee-total').textContent = ok ? grouped(subtotal + tax) : '-';
  }
  count.addEventListener('input', updateFee);
  updateFee();

  var prefecture = document.getElementById('prefecture');
  var municipality = document.getElementById('municipality');
  prefecture.addEventListener('change', function () {
    var code = prefecture.value;
    while (municipality.options.length > 1) municipality.remove(1);
    if (!code) return;
    fetch('/api/v1/municipalities?prefecture=' + encodeURIComponent(code), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        data.items.forEach(function (m) { municipality.add(new Option(m.name, m.code)); });
      });
  });
})();
