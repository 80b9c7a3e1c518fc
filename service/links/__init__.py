"""Disclosure links: the one open route (``/l/<token>``) through which people outside the API download."""
