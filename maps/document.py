"""Kept only for ``who`` (the map pages' user bar imports it from here); pages are written with
``maps.templating.render`` and the templates in ``maps/templates/``."""

from maps.templating import who

__all__ = ["who"]
