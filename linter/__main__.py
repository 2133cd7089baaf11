"""``python -m linter`` runs the command line."""

from linter.cli import main

if __name__ == "__main__":
    main()
