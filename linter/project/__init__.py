"""Which files, with which settings: configuration (``[tool.prefect-lint]``), folder walks
and ``.gitignore``, file kinds, and the context a rule is given (the document and its project).
May import: ``prefect``, ``schema``, ``core``, ``source`` and the leaves.
"""
