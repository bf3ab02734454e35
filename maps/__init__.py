"""Folium map pages served by the app, with Leaflet and its plugins served locally (maps/node_modules,
installed by `make` from the npm registry): a page loads nothing from the internet except the
base-map tiles, which are a setting (blank when unset)."""
