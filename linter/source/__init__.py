"""The document: its exact text and encoding, the YAML node tree with positions, the plain
data view Prefect would read, spans and positions, and text edits that keep every other byte.
May import: the leaves only.
"""
