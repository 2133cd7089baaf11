"""What a rule is given: the document and the project it belongs to."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from linter.project.config import Settings
from linter.source.document import Document


class Project(NamedTuple):
    """What rules may know beyond the file itself; rules read other files only through this."""

    root: Path
    settings: Settings


class LintContext(NamedTuple):
    document: Document
    project: Project
