"""``python -m linter`` runs the command line."""

from linter.cli.main import run

if __name__ == "__main__":
    run()
