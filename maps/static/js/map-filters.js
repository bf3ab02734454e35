// The stations page's filters (form #map-filters and the chips, maps/templates/map_parts.html): the
// page reloads with the filters in its URL (a shared link or a reload keeps them) and keeps the view
// the user is looking at. Without this script the form and the chips still work as plain links.
(function () {
  "use strict";
  var form = document.getElementById("map-filters");
  if (!form) { return; }
  function withView(url) {
    var map = window.registryMap;
    if (map) {
      var c = map.getCenter();
      url.searchParams.set("lat", c.lat.toFixed(5));
      url.searchParams.set("lon", c.lng.toFixed(5));
      url.searchParams.set("z", String(map.getZoom()));
    }
    return url.pathname + url.search;
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var url = new URL(form.getAttribute("action"), window.location.href);
    new FormData(form).forEach(function (value, name) {
      if (value !== "") { url.searchParams.append(name, value); }
    });
    window.location.assign(withView(url));
  });
  document.querySelectorAll("a.filter-chip").forEach(function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      window.location.assign(withView(new URL(a.href)));
    });
  });
})();
