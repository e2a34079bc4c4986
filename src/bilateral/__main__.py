"""``python -m bilateral`` runs the command line."""

from bilateral.cli import main

main()
