"""Shipped ``<slug>.profile.json`` and ``<slug>.panel.json`` files; a package so they are installed."""
