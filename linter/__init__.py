"""prefect-lint: a linter, fixer and pre-commit hook for Prefect deployment configuration.

The package is layered; each layer imports only from itself and the layers below it (the
import-linter contracts in ``pyproject.toml`` keep this, and CONTRIBUTING.md maps the tree):

    cli, lsp        front-ends
    run             engine, runner, cache, parallel workers
    report          output formats
    api             the stable facade plugin rules import
    rules, policy   the rules, one module per family; policy files and plugins
    project         configuration, discovery, file kinds, a rule's context
    prefect, schema what Prefect does; the strict schema check
    core            diagnostics, registry, selection, suppressions, fixer
    source          the YAML document, spans, edits
    leaves          errors, reading, resources, lazy_regex, suggest

Every run pays for the classes its modules create at import, so records are named tuples
(immutable values) or plain classes with a written ``__init__`` (mutable state), never
dataclasses: a dataclass compiles its generated methods at import, about a millisecond each,
which was a fifth of the start-up time. Module-level regular expressions use
``linter.lazy_regex.lazy_compile`` for the same reason.
"""

__version__ = "0.1.0"
