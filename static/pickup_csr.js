// 取得用ページ, 端末で作成した CSR を使う: a CSR file chosen on the terminal is read into the PEM
// box, so that nobody has to open it in a text editor. The form posts the box only; without this
// script the file chooser stays hidden and the box is pasted into as before.
(function () {
  'use strict';
  var field = document.getElementById('csr-file-field');
  var file = document.getElementById('csr_file');
  var box = document.getElementById('csr');
  if (!field || !file || !box || !window.FileReader) return;
  field.hidden = false;
  file.addEventListener('change', function () {
    var chosen = file.files && file.files[0];
    if (!chosen) return;
    var reader = new FileReader();
    reader.onload = function () { box.value = String(reader.result); };
    reader.readAsText(chosen);
  });
})();
