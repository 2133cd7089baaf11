"""Organisation policies as rules: Spectral-like policy files (``given`` JSONPath, ``then``
functions) and plugin rules from installed packages, loaded per configuration.
May import: ``project``, ``prefect``, ``schema``, ``core``, ``source`` and the leaves (a
sibling of ``rules``: it imports no rule module). ``linter.api`` is the facade plugins use.
"""
