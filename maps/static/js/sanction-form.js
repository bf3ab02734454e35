// The sanction form (office/sanction_form.html): as the officer types the bracket (an individual's) or
// picks the violator, say the range allowed for that violator (organisations pay double). Only a hint:
// the server checks the fine against the bracket whatever this says.
(function () {
  "use strict";
  var form = document.getElementById("sanction-form");
  var out = document.getElementById("fine-range");
  if (!form || !out) return;
  var kind = document.getElementById("f-violator_kind");
  var low = document.getElementById("f-bracket_min_vnd");
  var high = document.getElementById("f-bracket_max_vnd");

  function amount(input) {
    var bare = (input && input.value || "").trim().replace(/\s*(đồng|đ)$/i, "").replace(/[.\s]/g, "");
    return /^[0-9]{1,13}$/.test(bare) ? Number(bare) : null;
  }
  function money(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " đồng";
  }
  function update() {
    var a = amount(low), b = amount(high);
    if (a === null || b === null) {
      out.textContent = "Nhập khung phạt để xem mức được phép.";
      return;
    }
    var org = kind && kind.value === "organisation";
    var factor = org ? 2 : 1;
    var who = org ? "tổ chức (gấp đôi cá nhân)" : "cá nhân";
    out.textContent = b < a
      ? "Mức tối đa nhỏ hơn mức tối thiểu."
      : "Mức phạt cho " + who + ": từ " + money(a * factor) + " đến " + money(b * factor) + ".";
  }
  [kind, low, high].forEach(function (el) {
    if (el) {
      el.addEventListener("input", update);
      el.addEventListener("change", update);
    }
  });
})();
