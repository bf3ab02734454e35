// Use without the network (maps/offline.py): registers the service worker (/sw.js); on /maps/offline saves a
// commune (its sites as GeoJSON in IndexedDB, its pages and tiles in Cache Storage) and lists or deletes what
// was saved; on a map page with no network draws the saved sites and says what was saved and when.
// Saved data belong to the scope ("u<id>" or "public") the server names for whoever is signed in.
(function () {
  "use strict";
  var DB = self.OfflineDB;
  var supported = "serviceWorker" in navigator && "caches" in window && "indexedDB" in window;
  if (supported) { navigator.serviceWorker.register("/sw.js").catch(function () { /* the page still works */ }); }

  function fold(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase().trim();
  }
  function fmt(s, values) { return s.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function when(iso) {
    var d = new Date(iso);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + " " + pad(d.getDate()) + "/" + pad(d.getMonth() + 1) +
      "/" + d.getFullYear();
  }
  function ageDays(iso) { return Math.floor((Date.now() - new Date(iso).getTime()) / 86400000); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  // Who the saved data belong to: the server says when the network answers; else the last scope it said.
  function currentScope() {
    return fetch("/api/offline/scope", {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (j) { return DB.setScope(j.scope).then(function () { return {scope: j.scope, online: true}; }); })
      .catch(function () { return DB.getScope().then(function (s) { return {scope: s, online: false}; }); });
  }
  // One line per saved commune: when, how many sites, and whether it is old.
  function describe(record, t, into) {
    into.appendChild(el("span", fmt(t.saved, {name: record.name, at: when(record.saved_at), count: record.count}),
      "offline-saved-at"));
    var days = ageDays(record.saved_at);
    if (days >= record.stale_days) {
      var stale = el("b", fmt(t.stale, {days: days}), "offline-stale");
      stale.style.color = "#a40e26";
      stale.style.display = "block";
      into.appendChild(stale);
    }
  }

  // ---- /maps/offline: pick, save, list, delete ----
  function savePage(form) {
    var data = JSON.parse(document.getElementById("page-data").textContent), t = data.t;
    var input = document.getElementById("commune-q"), results = document.getElementById("commune-results");
    var message = document.getElementById("offline-message"), savedList = document.getElementById("offline-saved");
    var button = document.getElementById("offline-save");
    var chosen = null, scope = null, matches = [];
    if (!supported) { message.textContent = t.unsupported; button.disabled = true; return; }

    function choose(c) {
      chosen = c;
      input.value = c[1];
      results.textContent = "";
    }
    function search() {
      var q = fold(input.value);
      chosen = null;
      results.textContent = "";
      if (q.length < 2) { matches = []; return; }
      matches = data.communes.filter(function (c) { return fold(c[1]).indexOf(q) >= 0 || fold(c[0]) === q; });
      matches.slice(0, 15).forEach(function (c) {
        var li = el("li"), b = el("button", c[1], "as-link commune-choice");
        b.type = "button";
        b.setAttribute("data-code", c[0]);
        b.style.minHeight = "44px";
        b.addEventListener("click", function () { choose(c); button.focus(); });
        li.appendChild(b);
        results.appendChild(li);
      });
      if (!matches.length) { results.appendChild(el("li", t.nothing)); }
    }
    function listSaved() {
      return DB.list(scope).then(function (records) {
        savedList.textContent = "";
        if (!records.length) { savedList.appendChild(el("li", t.none)); }
        records.sort(function (a, b) { return a.name.localeCompare(b.name, "vi"); }).forEach(function (r) {
          var li = el("li", undefined, "offline-saved-item");
          li.setAttribute("data-code", r.code);
          describe(r, t, li);
          var del = el("button", t.delete + " " + r.name, "secondary offline-delete");
          del.type = "button";
          del.addEventListener("click", function () {
            DB.remove(scope, r.code).then(listSaved).then(function () {
              message.textContent = fmt(t.deleted, {name: r.name});
            });
          });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(del);
          savedList.appendChild(li);
        });
      });
    }
    function keep(cache, urls, progress) {
      // A few at a time: a commune's pages and tiles, each saved with the signed-in user's cookie.
      var i = 0, failed = 0;
      progress.total += urls.length;
      function worker() {
        if (i >= urls.length) { return Promise.resolve(); }
        var url = urls[i++];
        return fetch(url, {credentials: "same-origin"}).then(function (r) {
          if (!r.ok) { failed++; return; }
          return cache.put(url, r);
        }, function () { failed++; }).then(function () {
          progress.done++;
          message.textContent = fmt(t.saving, progress);
          return worker();
        });
      }
      return Promise.all([worker(), worker(), worker(), worker()]).then(function () { return failed; });
    }
    // The scripts, styles and images a saved page loads, and those its styles load (same site only).
    function sameSite(url, base) {
      var u = new URL(url, base);
      return u.origin === location.origin ? u.pathname + u.search : null;
    }
    function assetsOf(cache, paths, pattern, kind) {
      return Promise.all(paths.map(function (path) {
        return cache.match(path).then(function (r) { return r ? r.text() : ""; }).then(function (body) {
          var found = [];
          if (kind === "html") {
            var doc = new DOMParser().parseFromString(body, "text/html");
            doc.querySelectorAll("script[src], link[rel=stylesheet][href], link[rel=manifest][href], img[src]")
              .forEach(function (e) { found.push(e.getAttribute("src") || e.getAttribute("href")); });
          } else {
            body.replace(pattern, function (_, u) { found.push(u); });
          }
          return found.map(function (u) { return u.indexOf("data:") === 0 ? null : sameSite(u, location.origin + path); });
        });
      })).then(function (lists) {
        var seen = {};
        [].concat.apply([], lists).forEach(function (u) { if (u) { seen[u] = true; } });
        return Object.keys(seen);
      });
    }
    function save(code) {
      button.disabled = true;
      message.textContent = fmt(t.saving, {done: 0, total: "…"});
      fetch("/api/offline/communes/" + encodeURIComponent(code), {credentials: "same-origin"}).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.detail || body.title || String(r.status)); }
          return body;
        });
      }).then(function (plan) {
        scope = plan.scope;
        var progress = {done: 0, total: 0}, failed = 0, mine, shell;
        function count(n) { failed += n; }
        return DB.setScope(scope).then(function () {
          return caches.delete(DB.cacheName(scope, code));
        }).then(function () {
          return Promise.all([caches.open(DB.cacheName(scope, code)), caches.open(DB.SHELL)]);
        }).then(function (c) {
          mine = c[0];
          shell = c[1];
          return keep(mine, plan.pages.concat(plan.tiles), progress);
        }).then(count).then(function () {
          // The kinds of page saved: the map, this page, a record page.
          return assetsOf(mine, plan.pages.slice(0, 3), null, "html");
        }).then(function (found) {
          var assets = plan.assets.concat(found.filter(function (u) { return plan.assets.indexOf(u) < 0; }));
          return keep(shell, assets, progress).then(count).then(function () {
            var styles = assets.filter(function (u) { return /\.css(\?|$)/.test(u); });
            return assetsOf(shell, styles, /url\(["']?([^"')]+)["']?\)/g, "css");
          });
        }).then(function (images) {
          return keep(shell, images, progress);  // an image a style names but never shows may be missing
        }).then(function () {
          if (failed) { throw new Error(failed + " / " + progress.total); }
          return DB.put({scope: scope, code: plan.commune.code, name: plan.commune.name, saved_at: plan.saved_at,
            count: plan.count, stale_days: plan.stale_days, tiles_saved: plan.tiles_saved, sites: plan.sites});
        }).then(listSaved).then(function () {
          message.textContent = t.done + ": " + fmt(t.saved, {name: plan.commune.name, at: when(plan.saved_at),
            count: plan.count}) + (plan.tiles_saved ? "" : " (" + t.tiles_skipped + ")");
        });
      }).catch(function (e) {
        message.textContent = t.failed + ": " + e.message;
      }).then(function () { button.disabled = false; });
    }

    input.addEventListener("input", search);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!chosen && matches.length === 1) { choose(matches[0]); }
      if (!chosen) { message.textContent = t.pick; input.focus(); return; }
      save(chosen[0]);
    });
    currentScope().then(function (s) { scope = s.scope; return listSaved(); });
  }

  // ---- a map page: with no network, the saved sites and when they were saved ----
  function popup(p, t) {
    var box = el("div");
    box.appendChild(el("b", p.code));
    if (p.address) { box.appendChild(el("div", p.address)); }
    if (p.operators && p.operators.length) { box.appendChild(el("div", [].concat(p.operators).join(", "))); }
    if (p.stations && p.stations.length) {
      box.appendChild(el("div", t.stations + ": " + p.stations.map(function (s) {
        return (s.station_code || s.operator || "") + (s.technologies ? " (" + s.technologies.join(", ") + ")" : "");
      }).join("; ")));
    }
    var a = el("a", t.record, "offline-record");
    a.href = "/records/sites/" + encodeURIComponent(p.code);
    box.appendChild(a);
    return box;
  }
  function mapPage(panel) {
    var t = JSON.parse(panel.getAttribute("data-text")), status = document.getElementById("offline-status");
    if (!supported) { return; }
    currentScope().then(function (s) {
      if (s.online) { return; }
      var map = window.registryMap;
      return DB.list(s.scope).then(function (records) {
        status.textContent = "";
        if (!records.length || !s.scope) { status.appendChild(el("div", t.none_offline)); return; }
        status.appendChild(el("b", t.offline));
        var group = L.featureGroup();
        records.forEach(function (r) {
          var line = el("div");
          describe(r, t, line);
          status.appendChild(line);
          L.geoJSON(r.sites, {
            pointToLayer: function (f, ll) {
              var p = f.properties || {};
              var colour = (p.permits && t.colours.permits[p.permits]) || t.colours.status[p.status] || "#d4a72c";
              return L.circleMarker(ll, {radius: 9, fillColor: colour, fillOpacity: 0.9, color: "#1f2328", weight: 2});
            },
            onEachFeature: function (f, layer) { layer.bindPopup(popup(f.properties || {}, t)); }
          }).addTo(group);
        });
        if (map) {
          group.addTo(map);
          if (group.getLayers().length) { map.fitBounds(group.getBounds(), {maxZoom: 17, padding: [30, 30]}); }
        }
        window.offlineLayer = group;
      });
    }).then(function () { window.offlineReady = true; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("offline-form"), panel = document.getElementById("offline-panel");
    if (form) { savePage(form); }
    if (panel) { mapPage(panel); }
  });
})();
