"""prefect-lint: a linter, fixer and pre-commit hook for Prefect deployment configuration."""

__version__ = "0.1.0"
