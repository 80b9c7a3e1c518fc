"""``python -m service`` runs the ``mapdocs`` command."""

from service.cli import main

main()
