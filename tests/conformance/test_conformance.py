"""Conformance with the real Prefect 3.9.1 (slow): our verdicts against Prefect's own.

For every hand-written case in cases/ and every prefect.yaml in ../shared/corpus, Prefect's
model validation (and the offline parts of `prefect deploy`) decides whether the file is
rejected, skipped or loses a key. The claim this test holds us to:

* whenever Prefect rejects or skips a file, or silently drops a key, we report an error;
* whenever Prefect accepts a file and drops nothing, we report no error, except for the cases
  documented as deliberately stricter (SCHEMA-STRICTER in cases/MANIFEST.tsv, and the corpus
  files listed below), where Prefect loads a file that does something other than it says.

Only the families of the schema issue (Y, S), the agent-era keys (L) and schedule values (C,
which own what the schema's interval pattern only approximates) are compared: the
D rules need flow files that the cases do not have, and the T rules check step arguments,
which Prefect checks only when the step runs.
"""

from __future__ import annotations

import csv
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from linter.core.diagnostics import Severity
from linter.project.config import ConfigResolver, Overrides
from linter.run.runner import Runner
from tests.conftest import corpus_files

HERE = Path(__file__).parent
CASES = HERE / "cases"
ORACLE = HERE / "prefect_oracle.py"
FAMILIES = ("Y", "S", "L", "C")

#: Corpus files Prefect 3.9.1 accepts but where we report an error on purpose, and why.
CORPUS_STRICTER: dict[str, str] = {
    "CBIIT__prefect-hello-world__prefect.yaml":
        "L010: prefect.projects.steps.* was removed in 2.17; the pull step fails on the worker",
}

#: Corpus files where Prefect drops a key whose loss changes nothing, so we report it below
#: error: the code we report (as a warning or info) and why the loss is harmless.
CORPUS_HARMLESS_DROPS: dict[str, tuple[str, str]] = {
    "AbhishekRS4__Data_Ingestion_Prefect__prefect.yaml":
        ("L004", "is_schedule_active: true dropped; schedules are active anyway"),
    "mediacloud__sous-chef__prefect__prefect.yaml":
        ("L004", "is_schedule_active: true dropped; schedules are active anyway"),
    "OlegPodlipalin__kedro_prefect__prefect.yml":
        ("S001", "top-level keys that only hold YAML anchors (used through aliases) are dropped "
                 "after the aliases were resolved, as `definitions:` is"),
}


def manifest() -> dict[str, tuple[str, str]]:
    with (CASES / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return {row["file"]: (row["expected"], row["notes"])
                for row in csv.DictReader(handle, delimiter="\t")}


@dataclass
class Verdict:
    file: Path
    prefect: str
    prefect_bad: bool
    our_errors: list[str]
    our_warnings: list[str]
    our_infos: list[str]

    @property
    def agree(self) -> bool:
        return self.prefect_bad == bool(self.our_errors)


def our_findings(path: Path, severity: Severity) -> list[str]:
    runner = Runner(ConfigResolver(Overrides(select=FAMILIES), cwd=path.parent))
    result = runner.lint_path(path)
    assert result is not None
    return [f"{d.code}@{d.start.row}" for d in result.diagnostics if d.severity is severity]


def ask_prefect(python: Path, files: list[Path], cwd: Path) -> dict[Path, dict[str, object]]:
    done = subprocess.run([str(python), str(ORACLE), *map(str, files)], cwd=cwd,
                          capture_output=True, text=True, check=True, timeout=600)
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {Path(answer["file"]): answer for answer in answers}


def verdicts(python: Path, files: list[Path], tmp_path: Path) -> list[Verdict]:
    answers = ask_prefect(python, files, tmp_path)
    result = []
    for file in files:
        answer = answers[file]
        bad = (answer["verdict"] != "accept" or bool(answer.get("deploy_errors"))
               or bool(answer.get("deploy_dropped")))
        result.append(Verdict(file, str(answer["verdict"]), bad,
                              our_findings(file, Severity.ERROR),
                              our_findings(file, Severity.WARNING),
                              our_findings(file, Severity.INFO)))
    return result


def table(rows: list[Verdict]) -> str:
    lines = [f"{'file':<62} {'prefect':<10} {'ours':<30} agree"]
    for row in rows:
        ours = ",".join(row.our_errors[:3]) + ("..." if len(row.our_errors) > 3 else "")
        # "accept+" marks files Prefect loads but fails later in `prefect deploy`
        late = "+" if row.prefect_bad and row.prefect == "accept" else ""
        lines.append(f"{row.file.name[:62]:<62} {row.prefect + late:<10} "
                     f"{ours or '-':<30} {'yes' if row.agree else 'NO'}")
    agreed = sum(row.agree for row in rows)
    lines.append(f"agreement: {agreed}/{len(rows)}")
    return "\n".join(lines)


@pytest.mark.slow
def test_cases_agree_with_prefect(prefect_python: Path, tmp_path: Path) -> None:
    expected = manifest()
    files = sorted(CASES.glob("*.yaml"))
    assert len(files) >= 40
    rows = verdicts(prefect_python, files, tmp_path)
    print("\n" + table(rows))
    missed = [row.file.name for row in rows if row.prefect_bad and not row.our_errors]
    assert missed == [], f"Prefect rejects or drops, we report no error: {missed}"
    stricter = {row.file.name for row in rows if not row.prefect_bad and row.our_errors}
    documented = {name for name, (_, notes) in expected.items() if "SCHEMA-STRICTER" in notes}
    undocumented = sorted(stricter - documented)
    assert undocumented == [], f"we report an error where Prefect accepts: {undocumented}"
    for row in rows:  # the manifest's expectation still matches Prefect
        assert expected[row.file.name][0] == row.prefect, row.file.name


@pytest.mark.slow
def test_corpus_agrees_with_prefect(prefect_python: Path, tmp_path: Path) -> None:
    files = corpus_files("prefect_yaml")
    rows = verdicts(prefect_python, files, tmp_path)
    print("\n" + table(rows))
    for row in rows:
        if row.file.name in CORPUS_HARMLESS_DROPS:
            code, _ = CORPUS_HARMLESS_DROPS[row.file.name]
            below_error = [found.split("@")[0] for found in row.our_warnings + row.our_infos]
            assert row.prefect == "drops_key" and code in below_error, row.file.name
    missed = [row.file.name for row in rows if row.prefect_bad and not row.our_errors
              and row.file.name not in CORPUS_HARMLESS_DROPS]
    assert missed == [], f"Prefect rejects or drops, we report no error: {missed}"
    stricter = sorted(row.file.name for row in rows
                      if not row.prefect_bad and row.our_errors
                      and row.file.name not in CORPUS_STRICTER)
    assert stricter == [], f"we report an error where Prefect accepts: {stricter}"
