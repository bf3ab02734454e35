/* The base map of a map page, and what the page shows when there is none (maps/basemap.py starts it).
 *
 * cfg.tiles is the tiles' URL template: TTTT_MAP_TILES_URL, or /basemap/{z}/{x}/{y}.{ext} for the
 * local file the app serves (its zoom range and attribution come from /basemap/tiles.json; vector
 * tiles are drawn in plain greys by VectorGrid). With no URL, or when tiles fail to load and none has
 * loaded (an intranet, a phone with no signal), the commune and ward boundaries are drawn instead,
 * with their names where they fit, and a discreet note says so. A base tile that loads later takes
 * the note and the boundaries away again.
 *
 * Every text goes in through textContent. The state is returned (window.registryBasemap) for tests.
 */
(function () {
    "use strict";

    var LABEL_ZOOM = 11; // names from this zoom; the boundaries at every zoom
    var ERRORS_BEFORE_FALLBACK = 2; // failed tiles, none loaded, before the communes are shown

    function pane(map, name, z) {
        var p = map.getPane(name) || map.createPane(name);
        p.style.zIndex = String(z);
        p.style.pointerEvents = "none";
        return name;
    }

    // The communes: boundaries (under the sites) and names placed greedily, largest commune first,
    // skipping a name that would overlap one already placed.
    function communeLayer(map, url) {
        var linePane = pane(map, "communeLines", 250);
        var labelPane = pane(map, "communeLabels", 350);
        // An SVG renderer of their own: the map's canvas renderer chains its layers in a linked list,
        // a hundred communes deep, too deep for a test to hand the map back from the page.
        var lines = L.geoJSON(null, {
            pane: linePane,
            renderer: L.svg({pane: linePane}),
            style: function () { return {color: "#57606a", weight: 1.5, opacity: 0.9, fill: false, dashArray: "4 3"}; },
            // A boundary names its commune when pointed at (where the names gave way, too).
            onEachFeature: function (f, l) {
                var name = document.createElement("span");
                name.textContent = (f.properties && f.properties.name) || "";
                l.bindTooltip(name, {sticky: true});
            }
        });
        var labels = L.layerGroup();
        var group = L.layerGroup([lines, labels]);
        var items = [];
        var loaded = false;

        function place() {
            labels.clearLayers();
            if (!map.hasLayer(group) || map.getZoom() < LABEL_ZOOM) { return; }
            var view = map.getBounds().pad(0.05), taken = [];
            items.forEach(function (item) {
                if (!view.contains(item.at)) { return; }
                var p = map.latLngToContainerPoint(item.at);
                var w = item.name.length * 7 + 10, h = 18;
                var box = {x0: p.x - w / 2, x1: p.x + w / 2, y0: p.y - h / 2, y1: p.y + h / 2};
                for (var i = 0; i < taken.length; i++) {
                    var b = taken[i];
                    if (box.x0 < b.x1 && b.x0 < box.x1 && box.y0 < b.y1 && b.y0 < box.y1) { return; }
                }
                taken.push(box);
                var el = document.createElement("span");
                el.textContent = item.name;
                labels.addLayer(L.marker(item.at, {
                    pane: labelPane, interactive: false, keyboard: false,
                    icon: L.divIcon({className: "commune-label", html: el, iconSize: null})
                }));
            });
        }

        group.on("add", function () {
            if (loaded) { place(); return; }
            loaded = true;
            fetch(url, {credentials: "same-origin"})
                .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
                .then(function (data) {
                    lines.addData(data);
                    lines.eachLayer(function (l) {
                        var b = l.getBounds(), p = (l.feature && l.feature.properties) || {};
                        if (!p.name || !b.isValid()) { return; }
                        var size = Math.abs((b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()));
                        items.push({name: String(p.name), at: b.getCenter(), size: size});
                    });
                    items.sort(function (a, b) { return b.size - a.size; });
                    place();
                })
                .catch(function () { loaded = false; });
        });
        map.on("zoomend moveend", place);
        return group;
    }

    function note(map, text) {
        var control = L.control({position: "topright"});
        control.onAdd = function () {
            var div = L.DomUtil.create("div", "basemap-note");
            div.setAttribute("role", "status");
            div.textContent = text;
            return div;
        };
        return control;
    }

    window.basemapFallback = function (map, cfg) {
        var state = {base: null, loaded: 0, errors: 0, fallback: false};
        var communes = communeLayer(map, cfg.communes), shown = note(map, cfg.note);

        function fallback(on) {
            if (on === state.fallback) { return; }
            state.fallback = on;
            if (on) {
                communes.addTo(map);
                shown.addTo(map);
            } else {
                map.removeLayer(communes);
                shown.remove();
            }
            map.getContainer().classList.toggle("basemap-missing", on);
        }

        function watch(layer) {
            layer.on("tileload", function () {
                state.loaded += 1;
                fallback(false);
            });
            layer.on("tileerror", function () {
                state.errors += 1;
                if (!state.loaded && state.errors >= ERRORS_BEFORE_FALLBACK) { fallback(true); }
            });
            state.base = layer.addTo(map);
            layer.bringToBack && layer.bringToBack();
        }

        // VectorGrid styles by layer name only: areas filled by their usual names, labels and
        // symbols left out (they need a style sheet), every other line in grey.
        var AREAS = /water|ocean|lake|landuse|landcover|park|building|wood|grass|sand|wetland|aeroway/;
        var HIDDEN = /label|place|poi|name|housenumber|peak|symbol/;
        function vectorStyles() {
            return new Proxy({}, {get: function (target, layerName) {
                var name = String(layerName).toLowerCase();
                if (HIDDEN.test(name)) { return []; }
                if (AREAS.test(name)) {
                    return {weight: 0.5, color: "#c9ccd1", fill: true, fillColor: "#e6e9ec", fillOpacity: 0.7, radius: 0};
                }
                return {weight: 1, color: "#b6bcc4", fill: false, radius: 0};
            }});
        }

        function build(info) {
            var options = {minNativeZoom: info.minzoom, maxNativeZoom: info.maxzoom, maxZoom: 20};
            var attribution = document.createElement("span");
            attribution.textContent = info.attribution || "";
            options.attribution = attribution.innerHTML; // Leaflet writes it as HTML: the text escaped
            if (info.format === "pbf") {
                options.rendererFactory = L.svg.tile;
                options.interactive = false;
                options.pane = "tilePane";
                options.vectorTileLayerStyles = vectorStyles();
                return L.vectorGrid.protobuf(info.tiles[0], options);
            }
            return L.tileLayer(info.tiles[0], options);
        }

        if (!cfg.tiles) {
            fallback(true);
        } else if (cfg.local) {
            fetch(cfg.tilejson, {credentials: "same-origin"})
                .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
                .then(function (info) { watch(build(info)); })
                .catch(function () { fallback(true); });
        } else {
            watch(L.tileLayer(cfg.tiles, {attribution: cfg.attribution, maxZoom: 19}));
        }
        state.communes = communes;
        return state;
    };
})();
