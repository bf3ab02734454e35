// Receiving a case (office/case_form.html): link codes searched as one types, the position from a map
// click, and a denouncer row's confidentiality note. Without this script the form still works: codes
// are checked on saving, coordinates are typed. Texts go in with textContent only.
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var T = data.text;
  var lon = document.getElementById("f-position-lon");
  var lat = document.getElementById("f-position-lat");
  var status = document.getElementById("case-map-status");

  // --- The denouncer's note follows the role chosen --------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll(".party-role"), function (select) {
    var note = document.getElementById(select.getAttribute("aria-describedby"));
    select.addEventListener("change", function () { note.hidden = select.value !== "denouncer"; });
  });

  // --- The map ------------------------------------------------------------------------------------
  var map = null, here = null;
  var box = document.getElementById("case-map");
  function number(input) {
    var v = parseFloat(String(input.value).replace(",", "."));
    return isFinite(v) ? v : null;
  }
  function put(latlng) {
    if (!map) return;
    if (here) {
      here.setLatLng(latlng);
    } else {
      here = L.circleMarker(latlng, {radius: 9, color: "#1f2328", weight: 3, fillColor: "#f2cc60", fillOpacity: 1})
        .addTo(map);
    }
  }
  function fromInputs() {
    var x = number(lon), y = number(lat);
    if (x !== null && y !== null && Math.abs(x) <= 180 && Math.abs(y) <= 90) {
      put([y, x]);
      map.panTo([y, x]);
    }
  }
  if (box && window.L) {
    map = L.map(box, {scrollWheelZoom: false}).setView(data.centre, data.zoom);
    if (data.tiles) {
      L.tileLayer(data.tiles, {maxZoom: 19, attribution: "© OpenStreetMap"}).addTo(map);
    } else {
      box.classList.add("no-tiles");
    }
    L.control.scale({imperial: false}).addTo(map);
    map.on("click", function (e) {
      var y = e.latlng.lat.toFixed(6), x = L.Util.wrapNum(e.latlng.lng, [-180, 180], true).toFixed(6);
      lon.value = x;
      lat.value = y;
      put(e.latlng);
      status.textContent = T.picked.replace("{lat}", y).replace("{lon}", x);
    });
    lon.addEventListener("change", fromInputs);
    lat.addEventListener("change", fromInputs);
    if (number(lon) !== null && number(lat) !== null) fromInputs();
    box.dataset.ready = "1";
  }

  // A site chosen in a link row offers its position.
  var useSite = document.getElementById("use-site");
  var useButton = document.getElementById("use-site-button");
  var offered = null;
  function offer(item) {
    if (typeof item.lon !== "number" || typeof item.lat !== "number") return;
    offered = item;
    useButton.textContent = T.use_site.replace("{code}", item.code);
    useSite.hidden = false;
  }
  useButton.addEventListener("click", function () {
    if (!offered) return;
    lon.value = offered.lon.toFixed(6);
    lat.value = offered.lat.toFixed(6);
    if (map) fromInputs();
    status.textContent = T.picked.replace("{lat}", lat.value).replace("{lon}", lon.value);
  });

  // --- Search as you type (a combobox with a listbox under each code box) -------------------------
  Array.prototype.forEach.call(document.querySelectorAll(".link-row"), function (row) {
    var entity = row.querySelector(".link-entity");
    var input = row.querySelector(".link-code");
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var said = row.querySelector(".combo-status");
    var items = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function mark(i) {
      var options = list.querySelectorAll("[role=option]");
      Array.prototype.forEach.call(options, function (o, k) { o.setAttribute("aria-selected", String(k === i)); });
      active = i;
      if (i >= 0 && options[i]) {
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({block: "nearest"});
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(i) {
      var item = items[i];
      if (!item) return;
      input.value = item.code;
      close();
      said.textContent = item.label;
      if (entity.value === "site") offer(item);
    }
    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      said.textContent = found.length ? T.count.replace("{n}", found.length) : T.none;
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        mark(-1);
      } else {
        close();
      }
    }
    function search() {
      var q = input.value.trim();
      if (!entity.value || !q) { close(); said.textContent = ""; return; }
      var mine = ++asked;
      var url = data.search + "?entity=" + encodeURIComponent(entity.value) + "&q=" + encodeURIComponent(q);
      fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
        .then(function (body) { if (mine === asked) show(body.items || []); })
        .catch(function () { if (mine === asked) { close(); said.textContent = T.failed; } });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    entity.addEventListener("change", function () { close(); if (input.value.trim()) search(); });
    input.addEventListener("keydown", function (e) {
      var open = !list.hidden && items.length;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (open) mark((active + 1) % items.length); else search();
      } else if (e.key === "ArrowUp") {
        if (open) { e.preventDefault(); mark(active <= 0 ? items.length - 1 : active - 1); }
      } else if (e.key === "Enter") {
        if (open && active >= 0) { e.preventDefault(); choose(active); }
      } else if (e.key === "Escape") {
        if (open) { e.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });
})();
