"""The domain: one package per registry area (models, schemas, services), plus db and settings.

`registry` never imports `api` or `maps`; `geo` holds the spatial building blocks it uses.
"""
