// A planning zone's outline on a small Leaflet map. The geometry (GeoJSON, WGS 84) comes from the page
// data; without a base-map URL (intranets, tests) the outline is drawn on a blank background.
(function () {
  var box = document.getElementById("zone-map");
  var data = JSON.parse(document.getElementById("page-data").textContent);
  if (!box || !window.L || !data.geometry) return;
  var map = L.map(box, {scrollWheelZoom: false, attributionControl: Boolean(data.tiles)});
  if (data.tiles) {
    L.tileLayer(data.tiles, {maxZoom: 19, attribution: "© OpenStreetMap"}).addTo(map);
  }
  var outline = L.geoJSON({type: "Feature", geometry: data.geometry, properties: {}}, {
    style: {color: "#0969da", weight: 2, fillColor: "#0969da", fillOpacity: 0.15}
  }).addTo(map);
  map.fitBounds(outline.getBounds(), {padding: [12, 12]});
  box.dataset.ready = "1";
})();
