"""prefect-lint: a linter, fixer and pre-commit hook for Prefect deployment configuration.

Every run pays for the classes its modules create at import, so records are named tuples
(immutable values) or plain classes with a written ``__init__`` (mutable state), never
dataclasses: a dataclass compiles its generated methods at import, about a millisecond each,
which was a fifth of the start-up time. Module-level regular expressions use
``linter.lazy_regex.lazy_compile`` for the same reason.
"""

__version__ = "0.1.0"
