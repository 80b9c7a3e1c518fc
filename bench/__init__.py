"""Benchmarks for mapdocs, kept out of CI: ``.venv/bin/python -m bench --help`` from the repo root."""
