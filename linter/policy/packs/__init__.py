"""Built-in policy packs (YAML files), named ``prefect-lint:NAME``."""
