"""Front-end: the language server for editors, and what it needs to answer (completion,
hover, positions in UTF-16). ``pygls`` is imported only here.
May import: ``run`` and every layer below it (not ``cli``).
"""
