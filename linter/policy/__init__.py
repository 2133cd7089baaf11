"""Organisation policies as rules: Spectral-like policy files (``given`` JSONPath, ``then``
functions) and plugin rules from installed packages, loaded per configuration."""
