"""Coordinates for the registry; imports no other project package.

- ``geo.crs``: supported CRSs (WGS 84, VN-2000 geographic/UTM/TM-3), conversion to and from WGS 84
  pinned to EPSG:6960, and ``spatial_ref_sys`` rows for PostGIS.
- ``geo.parse``: numbers and angles as typed in Vietnamese spreadsheets (comma decimals, DMS,
  hemisphere letters).
- ``geo.checks``: report-only plausibility checks (swapped axes, outside Vietnam or the province)
  and geodesic distance.
"""
