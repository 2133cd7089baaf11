"""``python -m linter`` runs the command line."""

from linter.cli import run

if __name__ == "__main__":
    run()
