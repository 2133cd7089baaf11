"""Rule families; importing this package registers every rule.

Only rules live here, one module per family or concern; helpers two families share are in
``rules._shared``, and rule modules never import each other (an import-linter contract).
A rule's docstring documents it; its ``**Example**`` and ``**Use instead**`` sections are data,
``examples/<CODE>.md`` (read by ``core.rule_examples`` when its page is asked for).
May import: ``project``, ``prefect``, ``schema``, ``core``, ``source`` and the leaves.

| prefix | family |
| --- | --- |
| Y | YAML syntax and hazards |
| S | structure (the strict schema) |
| D | deployments |
| C | schedule values (cron, interval, rrule, timezone, anchor date, slug) |
| L | agent-era leftovers (Prefect 2 keys, legacy deployment.yaml, agent commands) |
| M | prefect-lint itself (suppression comments) |
| P | work pools: job variables against the pool's template; pools, queues not in the snapshot |
| T | build / push / pull steps: functions, arguments, ids, `requires`, plain-text secrets |
| R | `{{ }}` placeholders: step outputs, malformed, block/variable names and existence, `$ENV` |
| V | what the targeted Prefect release does (keys it ignores or rejects, steps it lacks) |
"""

# One import per line (each registers its rules), so families can be added independently.
from linter.rules import (
    deployments,  # noqa: F401
    flows,  # noqa: F401
    legacy,  # noqa: F401
    legacy_blocks,  # noqa: F401
    legacy_files,  # noqa: F401
    meta,  # noqa: F401
    placeholders,  # noqa: F401
    pools,  # noqa: F401
    python_legacy,  # noqa: F401
    reference_syntax,  # noqa: F401
    references,  # noqa: F401
    schedules,  # noqa: F401
    scripts,  # noqa: F401
    step_identity,  # noqa: F401
    steps,  # noqa: F401
    structure,  # noqa: F401
    versions,  # noqa: F401
    workspace,  # noqa: F401
    yaml_hazards,  # noqa: F401
    yaml_syntax,  # noqa: F401
)
