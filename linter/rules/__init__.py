"""Rule families; importing this package registers every rule.

| prefix | family |
| --- | --- |
| Y | YAML syntax and hazards |
| S | structure (the strict schema) |
| D | deployments |
| M | prefect-lint itself (suppression comments) |
"""

# One import per line (each registers its rules), so families can be added independently.
from linter.rules import (
    deployments,  # noqa: F401
    meta,  # noqa: F401
    structure,  # noqa: F401
    yaml_hazards,  # noqa: F401
    yaml_syntax,  # noqa: F401
)
