"""Running rules over files: the engine (one document through the selected rules,
suppressions applied), the runner (files, fixes, cache), parallel workers, added suppressions.
It loads ``linter.rules``, so it sits above them.
May import: ``report``, ``rules`` and every layer below.
"""
