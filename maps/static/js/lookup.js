// The public look-up by receipt code: asks the public API (rate-limited there) and shows the answer
// as a details table built with textContent; the code typed goes into the URL so the look-up can be shared.
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var T = data.text;
  var dmy = function (s) { return s ? s.split("-").reverse().join("/") : null; };

  function cell(tag, text) {
    var e = document.createElement(tag);
    e.textContent = text === null || text === undefined || text === "" ? "—" : String(text);
    return e;
  }

  function lookUp(code) {
    var out = document.getElementById("result");
    fetch("/public/dossiers/" + encodeURIComponent(code.trim())).then(function (r) {
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          var p = cell("p", r.status === 429 ? T.too_many : r.status === 404 ? T.not_found : (body.detail || T.not_found));
          p.className = "state-overdue";
          out.replaceChildren(p);
          document.body.dataset.ready = String(r.status);
        });
      }
      return r.json().then(function (d) {
        var step = d.step ? d.step.step_no + "/" + d.step.of + ": " + d.step.name + " (" + d.step.unit + ")" : null;
        var rows = [[T.code, d.receipt_code], [T.procedure, d.procedure_name], [T.status, d.status_name],
          [T.step, step], [T.received, dmy(d.received_on)], [T.due, dmy(d.due_date)], [T.standing, d.outcome_name]];
        var table = document.createElement("table");
        table.className = "details";
        rows.forEach(function (kv) {
          var tr = document.createElement("tr");
          tr.appendChild(cell("th", kv[0]));
          tr.appendChild(cell("td", kv[1]));
          table.appendChild(tr);
        });
        out.replaceChildren(table);
        document.body.dataset.ready = "200";
      });
    });
  }

  document.getElementById("lookup-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var code = document.getElementById("code").value;
    history.replaceState(null, "", "?" + new URLSearchParams({code: code, lang: data.lang}));
    lookUp(code);
  });
  var initial = document.getElementById("code").value;
  if (initial) lookUp(initial); else document.body.dataset.ready = "empty";
})();
