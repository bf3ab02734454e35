/* EMF safety distances on a map page (maps/emf.py): one semi-transparent wedge per sector with an EIRP,
   from GET /api/sites/{code}/safety-distances (one site) or GET /api/safety-distances?bbox= (the sites in
   view, from zoom 16 on), and a tooltip naming the wedges under the pointer ("Khu vực 1: 6,3 m"). Every
   text goes into the page through textContent. */
(function () {
    "use strict";

    // The page's layer lists, so the wedges can join the one of their map (created after this file loads).
    var controls = [];
    L.Control.Layers.addInitHook(function () { controls.push(this); });

    var STYLE = {color: "#bc4c00", weight: 1, opacity: 0.9, fillColor: "#fb8f44", fillOpacity: 0.35,
                 className: "emf-wedge"};

    function metres(d, comma) {
        var s = Number(d).toFixed(1) + " m";
        return comma ? s.replace(".", ",") : s;
    }

    function line(parent, tag, text) {
        var el = document.createElement(tag);
        el.textContent = text;
        parent.appendChild(el);
        return el;
    }

    // "Khu vực 1: 6,3 m", then the operator and the azimuth, then the site.
    function tooltip(p, cfg) {
        var t = cfg.text, box = document.createElement("div");
        box.className = "emf-sector";
        line(box, "b", t.sector + " " + p.sector_no + ": " + metres(p.compliance_distance_m, cfg.comma));
        line(box, "div", (p.operator ? p.operator + " · " : "") + t.azimuth + " " + Math.round(p.azimuth_deg) + "°");
        line(box, "div", t.site + " " + p.site_code);
        return box;
    }

    function escaped(text) {
        var span = document.createElement("span");
        span.textContent = text;
        return span.innerHTML;
    }

    var RAD = Math.PI / 180;

    // The bearing (degrees clockwise from north) from a to b, on the sphere: at a wedge's few metres the
    // sphere and the spheroid agree far below a pixel.
    function bearing(a, b) {
        var f1 = a.lat * RAD, f2 = b.lat * RAD, dl = (b.lng - a.lng) * RAD;
        var y = Math.sin(dl) * Math.cos(f2);
        var x = Math.cos(f1) * Math.sin(f2) - Math.sin(f1) * Math.cos(f2) * Math.cos(dl);
        return (Math.atan2(y, x) / RAD + 360) % 360;
    }

    // Is the point inside the wedge of ``f``: within its distance of the site and its beam?
    function inside(map, f, at) {
        var p = f.properties || {}, c = f.geometry.coordinates[0][0], centre = L.latLng(c[1], c[0]);
        if (map.distance(centre, at) > p.compliance_distance_m) { return false; }
        var off = ((bearing(centre, at) - p.azimuth_deg) % 360 + 540) % 360 - 180;
        return Math.abs(off) <= p.beamwidth_deg / 2;
    }

    window.registryEmf = function (map, cfg) {
        // The wedges lie in the tile pane under the sites' vector grid (above the base map) and take no
        // pointer events, so a site's dot stays clickable over its own wedges; the map's pointer says
        // which wedges it is in (a tooltip on hover, or on a tap on a phone).
        var tilePane = map.getPane("tilePane");
        var pane = map.createPane("emf", tilePane);
        pane.style.zIndex = 1;
        var grid = window.siteLayer && window.siteLayer.getContainer && window.siteLayer.getContainer();
        if (grid && grid.parentNode === tilePane) { tilePane.insertBefore(pane, grid); }

        var features = [];
        var layer = L.geoJSON(null, {
            pane: "emf",
            renderer: L.svg({pane: "emf"}),
            interactive: false,
            style: function () { return STYLE; }
        });
        var hover = L.tooltip({className: "emf-tooltip", direction: "top", offset: [0, -8]});
        var container = map.getContainer(), mapPane = map.getPane("mapPane"), controller = null, fetched = null;

        // The pointer's own events on the map (Leaflet hands an event over a small marker to the marker, with
        // the marker's position): a hover on a desktop, a tap on a phone.
        function show(ev) {
            var onMap = ev.target === container || mapPane.contains(ev.target);  // not over a control
            var at = map.mouseEventToLatLng(ev);
            var found = onMap && map.hasLayer(layer) ? features.filter(function (f) { return inside(map, f, at); }) : [];
            if (!found.length) {
                if (map.hasLayer(hover)) { map.closeTooltip(hover); }
                return;
            }
            var box = document.createElement("div");
            found.forEach(function (f) { box.appendChild(tooltip(f.properties || {}, cfg)); });
            hover.setLatLng(at).setContent(box);
            if (!map.hasLayer(hover)) { map.openTooltip(hover); }
        }
        L.DomEvent.on(container, "mousemove click", show);
        L.DomEvent.on(container, "mouseleave", function () { if (map.hasLayer(hover)) { map.closeTooltip(hover); } });

        function load(url, bounds) {
            if (controller) { controller.abort(); }
            controller = new AbortController();
            fetch(url, {signal: controller.signal, credentials: "same-origin"})
                .then(function (r) { return r.ok ? r.json() : null; })
                .then(function (data) {
                    if (!data) { return; }
                    layer.clearLayers();
                    layer.addData(data);
                    features = data.features;
                    fetched = bounds;
                    container.setAttribute("data-emf-wedges", String(features.length));
                })
                .catch(function () { /* aborted by a newer view, or offline: nothing drawn */ });
        }

        function clamp(v, lo, hi) { return Math.min(hi, Math.max(lo, v)); }

        function refresh() {
            if (!map.hasLayer(layer)) { return; }
            if (map.getZoom() < cfg.min_zoom) {
                if (controller) { controller.abort(); }
                layer.clearLayers();
                features = [];
                fetched = null;
                container.setAttribute("data-emf-wedges", "0");
                return;
            }
            if (fetched && fetched.contains(map.getBounds())) { return; }
            var b = map.getBounds().pad(0.1);
            var box = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
                       clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)];
            load("/api/safety-distances?bbox=" + box.map(function (x) { return x.toFixed(6); }).join(","), b);
        }

        if (cfg.site) {
            load("/api/sites/" + encodeURIComponent(cfg.site) + "/safety-distances", null);
        } else {
            map.on("moveend", refresh);
            layer.on("add", refresh);
        }
        layer.addTo(map);
        var control = controls.filter(function (c) { return c._map === map; }).pop();
        if (control) { control.addOverlay(layer, escaped(cfg.text.layer)); }
        window.emfLayer = layer;
    };
})();
