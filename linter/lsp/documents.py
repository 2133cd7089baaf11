"""Which documents the language server checks, and how it names and sizes them: the file
behind a URI, whether prefect-lint would check it (by name, configured include patterns or
content), and whether it is over the size limit the command line applies."""

from __future__ import annotations

from pathlib import Path

from pygls.uris import to_fs_path

from linter.errors import ConfigError
from linter.project.config import ConfigResolver
from linter.project.filekinds import kind_for_file, kind_for_name, kinds
from linter.run.runner import SNIFF_CHARS


def oversized_reason(text: str, limit: int) -> str | None:
    """Why the command line would not check a file holding ``text`` (more bytes than
    ``max-file-size``), or None."""
    from linter.reading import too_large

    if len(text) <= limit // 4:  # at most 4 bytes a character: no need to encode it
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return too_large(size, limit) if size > limit else None


def unsaveable_bytes(text: str) -> bytes | None:
    """The bytes a file holding ``text`` would have, when they are not UTF-8: the text has
    a lone surrogate (``\ud800``, which JSON can carry and UTF-8 cannot), so the command line
    would find the file unreadable; None for any text that encodes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
    return None


def path_of(uri: str) -> Path:
    return Path(to_fs_path(uri) or uri)


def wanted(path: Path, text: str) -> bool:
    """Only files prefect-lint would check in a folder walk, or recognises by content; not
    every YAML file the editor opens."""
    if kind_for_name(path) is not None or _included(path):
        return True
    is_yaml = path.suffix.lower() in (".yaml", ".yml")
    head = text[:SNIFF_CHARS]
    return any(kind.sniff is not None and kind.yaml == is_yaml and kind.sniff(head)
               for kind in kinds()) and kind_for_file(path, head) is not None


def _included(path: Path) -> bool:
    """Named by the ``include``/``extend-include`` settings (other than the default names)."""
    from linter.project.config import DEFAULT_INCLUDE
    from linter.project.discovery import is_included

    try:
        settings = ConfigResolver().for_path(path)
    except ConfigError:
        return False
    if (*settings.include, *settings.extend_include) == DEFAULT_INCLUDE:
        return False
    return is_included(path, settings)
