// The map pages on a phone (≤ 700 px, the CSS in maps/static/css/maps.css): the controls (layers,
// legend, filters) wait in a drawer behind one button, and what a popup or a side panel shows on a
// desktop slides up from the bottom in a sheet instead (closable with its button or Escape, focus
// moved into it and back). On a desktop nothing moves. Popups also keep clear of the top bar, and
// points drawn on a canvas take taps up to 16 px around them (a 44 px target).
(function () {
  "use strict";
  var map = window.registryMap;
  var phone = window.matchMedia("(max-width: 700px)");
  var toggle = document.getElementById("controls-toggle");
  var drawer = document.getElementById("map-drawer");
  var sheet = document.getElementById("map-sheet");
  var body = document.getElementById("sheet-body");
  var closer = document.getElementById("sheet-close");
  var reopen = document.getElementById("sheet-reopen");
  if (!map || !sheet) { return; }
  var homes = [];
  var panel = document.querySelector("[data-sheet]");
  var panelHome = panel ? {parent: panel.parentNode, next: panel.nextSibling} : null;
  var returnTo = null;

  L.Popup.prototype.options.autoPanPaddingTopLeft = L.point(20, 100);

  function tolerant() {
    map.eachLayer(function (layer) {
      if (layer instanceof L.Path) {
        var renderer = map.getRenderer(layer);
        if (renderer instanceof L.Canvas) {
          renderer.options.tolerance = Math.max(renderer.options.tolerance || 0, 16);
        }
      }
    });
  }

  function openDrawer(open) {
    drawer.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function openSheet(node) {
    if (sheet.hidden) { returnTo = document.activeElement; }
    if (node !== panel || panel.parentNode !== body) {
      while (body.firstChild) {
        if (body.firstChild === panel) {
          panelHome.parent.insertBefore(panel, panelHome.next);
        } else {
          body.removeChild(body.firstChild);
        }
      }
      body.appendChild(node);
    }
    openDrawer(false);
    sheet.hidden = false;
    reopen.hidden = true;
    document.body.classList.add("sheet-open");
    window.requestAnimationFrame(function () { sheet.classList.add("open"); });
    sheet.focus({preventScroll: true});
  }

  function closeSheet() {
    if (sheet.hidden) { return; }
    sheet.classList.remove("open");
    sheet.hidden = true;
    document.body.classList.remove("sheet-open");
    reopen.hidden = !(panel && phone.matches);
    if (returnTo && document.body.contains(returnTo) && returnTo !== document.body) {
      returnTo.focus({preventScroll: true});
    } else {
      (panel && phone.matches ? reopen : toggle).focus({preventScroll: true});
    }
    returnTo = null;
  }

  // The controls go into the drawer on a phone and back where they were on a wider screen.
  function place() {
    var small = phone.matches;
    L.Popup.prototype.options.autoPan = !small;
    if (small) {
      document.querySelectorAll(".leaflet-control-layers, .map-legend, .map-filters").forEach(function (el) {
        if (el.parentNode === drawer) { return; }
        homes.push({el: el, parent: el.parentNode, next: el.nextSibling});
        drawer.appendChild(el);
      });
      if (panel) { openSheet(panel); }
    } else {
      homes.forEach(function (h) { h.parent.insertBefore(h.el, h.next); });
      homes = [];
      openDrawer(false);
      closeSheet();
      if (panel && panel.parentNode !== panelHome.parent) { panelHome.parent.insertBefore(panel, panelHome.next); }
      reopen.hidden = true;
    }
    map.invalidateSize();
  }

  toggle.addEventListener("click", function () {
    var open = drawer.hidden;
    if (open) { closeSheet(); }
    openDrawer(open);
  });
  closer.addEventListener("click", closeSheet);
  reopen.addEventListener("click", function () { openSheet(panel); });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    if (!sheet.hidden) { closeSheet(); } else if (!drawer.hidden) { openDrawer(false); toggle.focus(); }
  });

  // On a phone a popup's content is shown in the sheet (a copy of what Leaflet built), not over the map.
  map.on("popupopen", function (e) {
    if (!phone.matches) { return; }
    var content = e.popup.getElement().querySelector(".leaflet-popup-content");
    var copy = document.createElement("div");
    copy.className = "sheet-content";
    Array.prototype.forEach.call(content.childNodes, function (n) { copy.appendChild(n.cloneNode(true)); });
    openSheet(copy);
    window.setTimeout(function () { map.closePopup(e.popup); }, 0);
  });

  tolerant();
  map.on("layeradd", tolerant);
  place();
  phone.addEventListener("change", place);
  window.mapSheet = {open: openSheet, close: closeSheet};
})();
