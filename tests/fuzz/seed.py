"""Fill a fuzzing corpus folder with the project's own fixtures (and the shared corpus)."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: the shared folder, as the tests find it ($PREFECT_LINT_SHARED, else ../shared); optional
SHARED = Path(os.environ.get("PREFECT_LINT_SHARED") or REPO.parent / "shared")
SOURCES = [
    REPO / "tests" / "conformance" / "cases",
    REPO / "examples",
    REPO / "tests" / "fuzz" / "crashes",
    SHARED / "corpus" / "prefect_yaml",
    SHARED / "corpus" / "legacy_deployment",
]


def main(target: Path) -> int:
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for source in SOURCES:
        if not source.is_dir():
            continue
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.suffix in (".yaml", ".yml", "") and path.stat().st_size:
                data = path.read_bytes()
                (target / hashlib.sha1(data).hexdigest()).write_bytes(data)
                count += 1
    print(f"seeded {count} files into {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
