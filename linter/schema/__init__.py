"""The strict JSON Schema of ``prefect.yaml``: the full check (jsonschema) and its fast
compiled path, with explanations worded for people.
May import: ``core``, ``source`` and the leaves.
"""
