"""The registry as OGC API – Features and Tiles data (api/ogc/ is its HTTP face).

collections.py (each collection as data: its table, id, geometry, properties with their JSON types
and who sees which), crs.py (the CRSs served and the PostGIS SQL that transforms into and out of
them), cql2.py (CQL2 text and JSON parsed by pygeofilter, translated to SQL with bound parameters),
queries.py (a page of items, one item and the extents, each built by PostGIS in one statement),
errors.py (the 400 that OGC API asks for a bad query parameter).
"""
