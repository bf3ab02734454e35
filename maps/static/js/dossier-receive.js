// Receiving a dossier (office/dossier_receive.html): a search box filtering the procedures as one types
// (with or without diacritics), the form filled for the procedure picked without reloading (fee,
// required documents, appointment), and the appointment asked again as the channel or the time changes.
// Without this script the form still works: «Chọn» reloads it for a procedure, «Xem ngày hẹn» posts it
// back with the appointment. Texts go in with textContent only.
(function () {
  var pick = document.getElementById("procedure-pick");
  var form = document.getElementById("receive-form");
  if (!pick || !form) return;
  var search = document.getElementById("procedure-search");
  var select = document.getElementById("procedure-select");
  var count = document.getElementById("procedure-count");
  var code = document.getElementById("f-procedure_code");
  var channel = document.getElementById("f-channel");
  var receivedAt = document.getElementById("f-received_at");
  var rows = document.getElementById("doc-rows");
  var url = form.getAttribute("data-appointment");
  var SPARE = 3;

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase().replace(/\s+/g, " ").trim();
  }
  function text(id, value) { document.getElementById(id).textContent = value; }

  // --- The search box filters the list ---------------------------------------------------------------
  search.hidden = false;
  document.getElementById("procedure-search-label").hidden = false;
  select.size = 8;
  select.classList.add("procedure-list");
  function filter() {
    var q = fold(search.value), shown = 0, first = null;
    Array.prototype.forEach.call(select.options, function (o) {
      if (!o.value) { o.hidden = q !== ""; return; }
      var match = !q || o.getAttribute("data-search").indexOf(q) !== -1;
      o.hidden = !match;
      if (match) { shown += 1; if (!first) first = o; }
    });
    count.textContent = q ? (shown ? shown + " thủ tục khớp" : "Không có thủ tục nào khớp") : "";
    return first;
  }
  search.addEventListener("input", filter);
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      var first = filter();
      if (first) { select.value = first.value; choose(first.value); }
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      select.focus();
    }
  });
  select.addEventListener("change", function () { if (select.value) choose(select.value); });
  pick.addEventListener("submit", function (e) {
    if (select.value) { e.preventDefault(); choose(select.value); }
  });

  // --- The documents' rows ---------------------------------------------------------------------------
  function row(templateId, i) {
    var node = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
    node.setAttribute("data-row", String(i));
    Array.prototype.forEach.call(node.querySelectorAll("[name],[id],[for]"), function (el) {
      ["name", "id", "for"].forEach(function (a) {
        var v = el.getAttribute(a);
        if (v) el.setAttribute(a, v.split("__i__").join(String(i)));
      });
    });
    return node;
  }
  function field(node, part) { return node.querySelector("[name$='." + part + "']"); }
  function fillRows(documents) {
    while (rows.firstChild) rows.removeChild(rows.firstChild);
    documents.forEach(function (d, i) {
      var node = row("doc-row-listed", i);
      field(node, "name").value = d.name;
      field(node, "form").value = d.form;
      field(node, "copies").value = String(d.copies);
      var required = d.required !== false;
      field(node, "received").checked = required;
      if (!required) {
        node.querySelector("[name$='.required']").remove();
        var tag = node.querySelector(".doc-required");
        tag.classList.remove("doc-required");
        tag.textContent = "Nếu có";
      }
      rows.appendChild(node);
    });
    for (var k = 0; k < SPARE; k += 1) rows.appendChild(row("doc-row-other", documents.length + k));
  }

  // --- The appointment -------------------------------------------------------------------------------
  var asked = 0;
  function ask(procedure, then) {
    var mine = ++asked;
    var query = "?procedure=" + encodeURIComponent(procedure) + "&channel=" + encodeURIComponent(channel.value) +
      "&received_at=" + encodeURIComponent(receivedAt.value);
    fetch(url + query, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) { if (mine === asked) then(data); })
      .catch(function () { if (mine === asked) text("appointment-reason", "Không lấy được ngày hẹn: bấm «Xem ngày hẹn»."); });
  }
  function show(data) {
    var a = data.appointment;
    document.getElementById("appointment-text").hidden = !a;
    if (a) {
      text("appointment-date", a.due_date);
      text("appointment-start", a.counted_from);
      text("appointment-reason", a.reason);
    } else {
      text("appointment-reason", data.error || "");
    }
  }
  function choose(procedure) {
    ask(procedure, function (data) {
      if (!data.procedure) { show(data); return; }
      var p = data.procedure;
      code.value = p.code;
      text("proc-name", p.name + " (" + p.code + ")");
      text("proc-time", p.time_text);
      text("proc-fee", p.fee);
      document.getElementById("procedure-box").hidden = false;
      document.getElementById("procedure-none").hidden = true;
      fillRows(p.documents || []);
      show(data);
      if (window.history && history.replaceState) {
        history.replaceState(null, "", "/office/dossiers/new?procedure=" + encodeURIComponent(p.code));
      }
    });
  }
  function again() { if (code.value) ask(code.value, show); }
  channel.addEventListener("change", again);
  receivedAt.addEventListener("change", again);
})();
