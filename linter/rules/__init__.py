"""Rule families; importing this package registers every rule.

| prefix | family |
| --- | --- |
| Y | YAML syntax and hazards |
| D | deployments |
| M | prefect-lint itself (suppression comments) |
"""

from linter.rules import deployments, meta, yaml_syntax

__all__ = ["deployments", "meta", "yaml_syntax"]
