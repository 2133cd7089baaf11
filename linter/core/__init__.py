"""The engine's vocabulary, knowing nothing of Prefect: severities, findings and
diagnostics, the rule registry and selection, suppression comments, the fixer and atomic
writes, the fork pool, dependency notes for the cache, rule pages.
May import: ``source`` and the leaves.
"""
