// The public look-up by receipt code: asks the public API (rate-limited there) and shows the answer
// as a details table and the dated steps, all built with textContent; a dossier waiting for a
// supplement says plainly that its clock is stopped; too many look-ups say how long to wait
// (Retry-After). The code typed goes into the URL so the look-up can be shared.
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var T = data.text;
  var M = JSON.parse(document.getElementById("lookup-text").textContent);
  var dmy = function (s) { return s ? s.split("-").reverse().join("/") : null; };

  function cell(tag, text) {
    var e = document.createElement(tag);
    e.textContent = text === null || text === undefined || text === "" ? "—" : String(text);
    return e;
  }

  function waitText(header) {
    var s = parseInt(header, 10);
    if (!(s > 0)) return M.later;
    var n = s < 120 ? s + " " + M.seconds : Math.ceil(s / 60) + " " + M.minutes;
    return M.wait.replace("{n}", n);
  }

  function steps(list) {
    var box = document.createElement("section");
    box.id = "steps";
    box.appendChild(cell("h2", M.steps));
    var table = document.createElement("table");
    table.className = "timeline";
    var head = document.createElement("tr");
    head.appendChild(cell("th", M.when));
    head.appendChild(cell("th", M.what));
    table.appendChild(head);
    (list || []).forEach(function (s) {
      var tr = document.createElement("tr");
      tr.dataset.kind = s.kind;
      var when = cell("td", s.at_text);
      var time = document.createElement("time");
      time.dateTime = s.at;
      time.textContent = s.at_text;
      when.replaceChildren(time);
      tr.appendChild(when);
      var what = cell("td", s.name);
      if (s.step) {
        var small = cell("div", s.step);
        small.className = "muted";
        what.appendChild(small);
      }
      tr.appendChild(what);
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  function lookUp(code) {
    var out = document.getElementById("result");
    fetch("/public/dossiers/" + encodeURIComponent(code.trim())).then(function (r) {
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          var text = r.status === 429 ? waitText(r.headers.get("Retry-After"))
            : r.status === 404 ? T.not_found : (body.detail || T.not_found);
          var p = cell("p", text);
          p.className = r.status === 429 ? "warning" : "state-overdue";
          p.id = "lookup-error";
          p.setAttribute("role", "alert");
          out.replaceChildren(p);
          document.body.dataset.ready = String(r.status);
        });
      }
      return r.json().then(function (d) {
        var step = d.step ? d.step.step_no + "/" + d.step.of + ": " + d.step.name + " (" + d.step.unit + ")" : null;
        var due = dmy(d.due_date);
        if (d.paused && due) due = due + " (" + M.due_paused + ")";
        var rows = [[T.code, d.receipt_code], [T.procedure, d.procedure_name], [T.status, d.status_name],
          [T.step, step], [T.received, dmy(d.received_on)], [T.due, due], [T.standing, d.outcome_name]];
        var table = document.createElement("table");
        table.className = "details";
        rows.forEach(function (kv) {
          var tr = document.createElement("tr");
          tr.appendChild(cell("th", kv[0]));
          tr.appendChild(cell("td", kv[1]));
          table.appendChild(tr);
        });
        var parts = [];
        if (d.paused) {
          var note = cell("p", d.paused.text);
          note.className = "warning";
          note.id = "paused";
          parts.push(note);
        }
        parts.push(table, steps(d.steps));
        out.replaceChildren.apply(out, parts);
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
