// A case's position on a small Leaflet map (office/case.html). The point [lon, lat] comes from the page
// data; without a base-map URL (intranets, tests) the point is drawn on a blank background.
(function () {
  var box = document.getElementById("case-map");
  var data = JSON.parse(document.getElementById("page-data").textContent);
  if (!box || !window.L || !data.point) return;
  var map = L.map(box, {scrollWheelZoom: false, attributionControl: Boolean(data.tiles)});
  if (data.tiles) {
    L.tileLayer(data.tiles, {maxZoom: 19, attribution: "© OpenStreetMap"}).addTo(map);
  }
  var at = [data.point[1], data.point[0]];
  L.circleMarker(at, {radius: 8, color: "#a40e26", weight: 2, fillColor: "#a40e26", fillOpacity: 0.4}).addTo(map);
  map.setView(at, 15);
  box.dataset.ready = "1";
})();
