"""ACME's deployment rules: an example prefect-lint plugin.

A production deployment (tagged ``prod``) must run on a production work pool (a pool whose
name ends in ``-prod``), and the other way round: a rule comparing two values of one
deployment, which a policy file's JSONPath cannot express. It imports only ``linter.api``,
the stable interface for plugins.
"""

from __future__ import annotations

from collections.abc import Iterator

from linter.api import Finding, LintContext, Severity, deployments, item_span, rule, value_span


@rule("ACME001", "prod-tag-matches-prod-pool", Severity.ERROR,
      "Production deployments run on production pools, and only they do")
def prod_tag_matches_prod_pool(context: LintContext) -> Iterator[Finding]:
    """A deployment tagged `prod` runs on a work pool whose name ends in `-prod`, and a
    deployment on such a pool is tagged `prod`: a mix-up either way runs production work
    on shared workers, or test work next to production.

    Example: `tags: [prod]` with `work_pool: {name: shared}`. Use instead
    `work_pool: {name: etl-prod}`.
    """
    for index, deployment in deployments(context):
        tags = deployment.get("tags")
        tagged = isinstance(tags, list) and "prod" in tags
        pool = deployment.get("work_pool")
        name = pool.get("name") if isinstance(pool, dict) else None
        if not isinstance(name, str):
            continue
        on_prod_pool = name.endswith("-prod")
        if tagged == on_prod_pool:
            continue
        where = ("deployments", index, "work_pool", "name")
        span = value_span(context, where) or item_span(context, ("deployments", index))
        if tagged:
            message = f"deployment tagged `prod` runs on pool `{name}`, not a `-prod` pool"
        else:
            message = f"pool `{name}` is a production pool but the deployment is not tagged `prod`"
        yield Finding(span, message)
