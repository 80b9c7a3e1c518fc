"""Shipped Word templates for panel documents (agenda, letters…), built by ``build.py``."""
