// The results dashboard: reads the public report API for the period in the page data and draws the
// figures, the tables and two Chart.js charts. Every text from the API goes in with textContent.
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var T = data.text;
  var fmt = function (n) { return Number(n).toLocaleString(data.lang === "vi" ? "vi-VN" : "en-GB"); };
  var q = new URLSearchParams({from: data.from, to: data.to});

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function row(cells, headTag) {
    var tr = el("tr");
    cells.forEach(function (c, i) { tr.appendChild(el(i === 0 && headTag ? headTag : "td", c)); });
    return tr;
  }
  function table(head, rows) {
    var t = el("table"), thead = el("thead"), tbody = el("tbody"), tr = el("tr");
    head.forEach(function (h) { tr.appendChild(el("th", h)); });
    thead.appendChild(tr);
    rows.forEach(function (r) { tbody.appendChild(row(r)); });
    t.appendChild(thead);
    t.appendChild(tbody);
    return t;
  }
  function fill(id, node) {
    var box = document.getElementById(id);
    box.replaceChildren(node);
  }
  // Each figure links to the desk's queue filtered to exactly the dossiers it counts (api/office/dossiers.py:
  // figure + period, and the field or channel of a breakdown's row).
  function queue(figure, extra) {
    var p = new URLSearchParams({figure: figure, period_from: data.from, period_to: data.to, field: "all"});
    for (var k in extra || {}) p.set(k, extra[k]);
    return "/office/dossiers?" + p;
  }
  function linked(n, href, attrs) {
    var a = el("a", fmt(n), attrs);
    a.setAttribute("href", href);
    return a;
  }
  function breakdown(rows, key, label, names, order, by) {
    var t = table([label].concat(order.map(function (k) { return names[k]; })), []);
    var tbody = t.querySelector("tbody");
    rows.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", r[key]));
      order.forEach(function (k) {
        var extra = {};
        extra[by] = r[by];
        var td = el("td");
        td.appendChild(linked(r[k], queue(k, extra), {"data-by": by}));
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    return t;
  }
  function get(path) {
    return fetch(path + "?" + q).then(function (r) { if (!r.ok) throw r; return r.json(); });
  }

  Promise.all([get("/api/reports/dossiers"), get("/api/reports/dossiers/monthly")]).then(function (both) {
    var rep = both[0], mon = both[1];
    var names = rep.figure_names, f = rep.figures;
    var order = ["received", "carried_over", "new", "resolved_early", "resolved_on_time", "resolved_late",
      "resolved_on_time_or_early", "refused", "returned", "withdrawn", "pending_within_deadline", "pending_overdue"];
    var figures = el("table", null, {"class": "details"});
    order.forEach(function (k) {
      var tr = el("tr");
      tr.appendChild(el("th", names[k]));
      var td = el("td");
      td.appendChild(linked(f[k], queue(k), {"data-figure": k}));
      tr.appendChild(td);
      figures.appendChild(tr);
    });
    fill("figures", figures);
    var short = ["received", "resolved_on_time_or_early", "resolved_late", "returned", "withdrawn",
      "pending_within_deadline", "pending_overdue"];
    fill("by-field", breakdown(rep.by_field, "field_name", T.by_field, names, short, "field"));
    fill("by-channel", breakdown(rep.by_channel, "channel_name", T.by_channel, names, short, "channel"));
    var cat = rep.catalogue;
    fill("catalogue", table([T.level, T.count, T.share], cat.by_online_level.map(function (r) {
      return [r.online_level, fmt(r.count), fmt(r.share_percent) + " %"];
    })));
    var labels = mon.months.map(function (m) { return m.month; });
    var series = function (k, color) {
      return {label: names[k], data: mon.months.map(function (m) { return m[k]; }), backgroundColor: color, stack: "s"};
    };
    var line = function (k, color, dash) {
      return {label: names[k], data: mon.months.map(function (m) { return m[k]; }), type: "line", borderColor: color,
        backgroundColor: color, borderDash: dash || []};
    };
    new Chart(document.getElementById("trend-chart"), {type: "bar", data: {labels: labels, datasets: [
      series("resolved_early", "#2da44e"), series("resolved_on_time", "#1a7f37"), series("resolved_late", "#cf222e"),
      series("returned", "#9a6700"), series("withdrawn", "#8c959f"),
      line("new", "#0969da"), line("pending_within_deadline", "#bf8700", [4, 3])]},
      options: {animation: false, responsive: true, scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true}}}});
    new Chart(document.getElementById("catalogue-chart"), {type: "doughnut", data: {
      labels: cat.by_online_level.map(function (r) { return T.level + " " + r.online_level; }),
      datasets: [{data: cat.by_online_level.map(function (r) { return r.count; }),
        backgroundColor: ["#8c959f", "#0969da", "#1a7f37", "#8250df"]}]},
      options: {animation: false, responsive: true}});
    document.body.dataset.ready = "1";
  }).catch(function () {
    document.getElementById("figures").textContent = T.error;
    document.body.dataset.ready = "error";
  });
})();
