"""Folium map pages (issue #7). Nothing here yet: the station registry's API comes first."""
