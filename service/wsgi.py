"""WSGI entry point for production servers: ``waitress-serve service.wsgi:app`` or gunicorn."""

from service import create_app

app = create_app()
