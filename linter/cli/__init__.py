"""Front-end: the ``prefect-lint`` command line (check, rules and schema, migrate, pools).

Options, exit statuses and what is printed live here; the work is done by the layers below,
imported lazily inside each command so ``prefect-lint --version`` starts at once.
May import: every other layer.
"""
