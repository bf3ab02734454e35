"""Antenna sites, the base stations operators install on them, and their sectors.

models.py (tables), schemas.py (API shapes), service.py (the only place that changes data),
queries.py (filters and spatial SQL), importer.py / exporter.py (spreadsheets, GeoJSON, KML).
"""
