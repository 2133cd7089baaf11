"""Fill a fuzzing corpus folder with the project's own fixtures (and the shared corpus)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCES = [
    REPO / "tests" / "conformance" / "cases",
    REPO / "examples",
    REPO / "tests" / "fuzz" / "crashes",
    REPO.parent / "shared" / "corpus" / "prefect_yaml",
    REPO.parent / "shared" / "corpus" / "legacy_deployment",
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
