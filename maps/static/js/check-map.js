// The permit check for a proposed site: a small Leaflet map (tiles only when configured) whose click
// fills the WGS 84 coordinates of the form; after a check it shows the point and the poles the answer
// names (too close in red, co-location candidates in blue). Texts go in with textContent only.
(function () {
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var box = document.getElementById("check-map");
  var status = document.getElementById("check-map-status");
  var T = data.text;
  var map = L.map(box, {scrollWheelZoom: false}).setView(data.centre, data.zoom);
  window.checkMap = map;
  if (data.tiles) {
    L.tileLayer(data.tiles, {maxZoom: 19, attribution: "© OpenStreetMap"}).addTo(map);
  } else {
    box.classList.add("no-tiles");
  }
  L.control.scale({imperial: false}).addTo(map);

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }
  var here = null;
  function put(latlng) {
    if (here) {
      here.setLatLng(latlng);
    } else {
      here = L.circleMarker(latlng, {radius: 9, color: "#1f2328", weight: 3, fillColor: "#f2cc60", fillOpacity: 1})
        .bindTooltip(label(T.here)).addTo(map);
    }
  }
  if (data.point) { put(data.point); }
  data.near.forEach(function (n) {
    var colour = n.close ? "#cf222e" : "#0b4fae";
    L.circleMarker([n.lat, n.lon], {radius: 6, color: colour, weight: 2, fillColor: colour, fillOpacity: 0.5})
      .bindTooltip(label(n.code + " – " + n.distance_m + " " + T.metres + (n.close ? " (" + T.close + ")" : "")))
      .addTo(map);
  });

  function field(name) { return document.getElementById("f-position-" + name); }
  map.on("click", function (e) {
    var lat = e.latlng.lat.toFixed(6), lon = L.Util.wrapNum(e.latlng.lng, [-180, 180], true).toFixed(6);
    field("crs").value = "4326";
    field("lon").value = lon;
    field("lat").value = lat;
    field("northing").value = "";
    field("easting").value = "";
    put(e.latlng);
    status.textContent = T.picked.replace("{lat}", lat).replace("{lon}", lon);
  });
})();
