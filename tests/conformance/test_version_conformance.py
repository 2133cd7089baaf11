"""Conformance per Prefect release (slow): our verdicts with ``--target-version`` X against
Prefect X's own loader, over the hand-written cases.

3.9.1 is ``test_conformance.py`` (its oracle validates with the prefect.yaml model); 3.4.25
to 3.8.8 are asked through the same oracle, with the SCHEMA-STRICTER cases of the manifest
and ``MODEL_STRICTER`` excused. 2.16.9 to 3.3.7, which have no model, are asked through
``prefect_oracle_dicts.py``
(their own loader, deprecated-schedule handling and schedule builder, plus the keys their
deploy code reads). The agreement rule is the same as for 3.9.1:

* whenever the release rejects or skips a file, crashes on it, or silently drops a key, we
  report an error (Y, S, L, C and V rules, target set to that release);
* whenever it loads the file and drops nothing, we report no error, except for the cases
  listed in ``STRICTER`` with the reason: these releases do not validate the file, so a
  wrongly typed value is loaded and fails (or is misread) later, in stages the oracle cannot
  replay without a server or a worker (the API call, the step run). Each listed case is
  rejected by 3.9.1 (MANIFEST.tsv), so no entry hides a false alarm on a file every release
  accepts.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from linter.core.diagnostics import Severity
from linter.prefect.releases import make_target
from linter.project.config import ConfigResolver, Overrides, Settings
from linter.run.runner import Runner
from tests.conformance.test_conformance import CORPUS_HARMLESS_DROPS, CORPUS_STRICTER, manifest
from tests.conftest import corpus_files, prefect_release_venv

HERE = Path(__file__).parent
CASES = HERE / "cases"
ORACLE = HERE / "prefect_oracle_dicts.py"
MODEL_ORACLE = HERE / "prefect_oracle.py"  # 3.4.19 and later: the model, as for 3.9.1
FAMILIES = ("Y", "S", "L", "C", "V")

#: The releases every slow run asks (the issue's minimum: a 2.x, a 3.x before the model, one
#: with the model; 3.9.1 is test_conformance.py). The other supported releases cost a Prefect
#: install each (about 25 minutes for all of them from cold), so they are asked only with
#: PREFECT_LINT_ALL_RELEASES=1, as the data generator is run: by hand, not in CI.
CI_RELEASES = frozenset({"2.20.27", "3.3.7", "3.5.0"})
ALL_RELEASES = os.environ.get("PREFECT_LINT_ALL_RELEASES") == "1"


def release(*values: object) -> object:
    """A parameter set for one release, skipped with the reason outside CI_RELEASES unless
    every release was asked for."""
    marks = () if values[0] in CI_RELEASES or ALL_RELEASES else (pytest.mark.skip(
        reason=f"Prefect {values[0]}: set PREFECT_LINT_ALL_RELEASES=1 to ask every release"),)
    return pytest.param(*values, marks=marks, id=str(values[0]))

UNCHECKED = "no model before 3.4.19: the value is loaded as written and fails or is misread later"
#: case -> why we report an error where the release's loader accepts (see the module doc)
STRICTER: dict[str, str] = {name: UNCHECKED for name in (
    "invalid_anchor_date_unquoted_active.yaml", "invalid_anchor_date_unquoted_alone.yaml",
    "invalid_build_string.yaml", "invalid_collision_strategy.yaml",
    "invalid_concurrency_float.yaml", "invalid_concurrency_string.yaml",
    "invalid_deployments_null.yaml", "invalid_enforce_maybe.yaml",
    "invalid_job_variables_list.yaml", "invalid_metric_trigger_no_type.yaml",
    "invalid_name_int.yaml", "invalid_parameters_list.yaml", "invalid_paused_word.yaml",
    "invalid_prefect_version_float.yaml", "invalid_schedule_cron_and_interval.yaml",
    "invalid_schedules_mapping.yaml", "invalid_sla_missing_duration.yaml",
    "invalid_sla_two_kinds.yaml", "invalid_tags_null.yaml", "invalid_tags_string.yaml",
    "invalid_trigger_unknown_type.yaml", "invalid_triggers_mapping.yaml",
    "invalid_version_date.yaml", "invalid_version_float.yaml", "invalid_version_type.yaml",
)} | {
    "valid_git_clone_pull.yaml": "V004: a git_clone/run_shell_script argument the release "
                                 "lacks; the pull step fails when it runs (the oracle runs "
                                 "no steps)",
    # 3.9.1 also accepts these two; they are SCHEMA-STRICTER in MANIFEST.tsv for every release
    "invalid_anchor_date_with_cron.yaml": "SCHEMA-STRICTER in MANIFEST.tsv",
    "invalid_both_prefect_version_spellings.yaml": "one of the two spellings is lost",
}


def our_errors(path: Path, target: str) -> list[str]:
    """Our errors for a case linted as a prefect.yaml (a name like ``*values.yaml`` would
    otherwise be taken for a Helm values file)."""
    overrides = Overrides(select=FAMILIES, target_version=make_target(target, "test"))
    runner = Runner(ConfigResolver(overrides, cwd=path.parent))
    settings = overrides.apply(Settings(root=path.parent))
    result = runner.lint_text(path.read_text(encoding="utf-8"), "prefect.yaml", None,
                              settings)
    return [f"{d.code}@{d.start.row}" for d in result.diagnostics
            if d.severity is Severity.ERROR]


def ask(python: Path, files: list[Path], cwd: Path,
        oracle: Path = ORACLE) -> dict[str, dict[str, object]]:
    done = subprocess.run([str(python), str(oracle), *map(str, files)], cwd=cwd,
                          capture_output=True, text=True, check=True, timeout=600)
    # the loader prints deprecation notes on standard output, too
    answers = [json.loads(line) for line in done.stdout.splitlines()
               if line.startswith('{"file"')]
    return {Path(str(answer["file"])).name: answer for answer in answers}


#: 3.4.19 and later validate with the model; cases they accept where we report an error
MODEL_STRICTER = {
    "valid_git_clone_pull.yaml": "V004 on 3.4/3.5: `run_shell_script` takes `shell` from 3.6; "
                                 "the step fails when it runs (the oracle runs no steps)",
}


@pytest.mark.slow
@pytest.mark.parametrize(("release", "target"), [
    release("3.4.25", "3.4"), release("3.5.0", "3.5"), release("3.6.29", "3.6"),
    release("3.7.8", "3.7"), release("3.8.8", "3.8"),
])
def test_cases_agree_with_model_release(release: str, target: str, tmp_path: Path) -> None:
    python = prefect_release_venv(release)
    files = sorted(CASES.glob("*.yaml"))
    answers = ask(python, files, tmp_path, MODEL_ORACLE)
    documented = {name for name, (_, notes) in manifest().items() if "SCHEMA-STRICTER" in notes}
    missed, stricter = [], []
    for file in files:
        answer = answers[file.name]
        bad = (answer["verdict"] != "accept" or bool(answer.get("deploy_errors"))
               or bool(answer.get("deploy_dropped")))
        errors = our_errors(file, target)
        if bad and not errors:
            missed.append(file.name)
        if not bad and errors and file.name not in documented | set(MODEL_STRICTER):
            stricter.append(file.name)
    assert missed == [], f"Prefect {release} rejects or drops, we report no error: {missed}"
    assert stricter == [], f"we report an error where Prefect {release} accepts: {stricter}"


@pytest.mark.slow
@pytest.mark.parametrize(("release", "target"), [
    release("2.16.9", "2.16"), release("2.19.9", "2.19"), release("2.20.27", "2.20"),
    release("3.0.11", "3.0"), release("3.1.15", "3.1"), release("3.2.15", "3.2"),
    release("3.3.7", "3.3"),
])
def test_cases_agree_with_release(release: str, target: str, tmp_path: Path) -> None:
    python = prefect_release_venv(release)
    files = sorted(CASES.glob("*.yaml"))
    answers = ask(python, files, tmp_path)
    assert len(answers) == len(files)
    missed, stricter, lines = [], [], []
    for file in files:
        answer = answers[file.name]
        bad = (answer["verdict"] != "accept" or bool(answer.get("deploy_errors"))
               or bool(answer.get("deploy_dropped")))
        errors = our_errors(file, target)
        lines.append(f"{file.name:<55} {answer['verdict']!s:<10} {','.join(errors) or '-'}")
        if bad and not errors:
            missed.append(file.name)
        if not bad and errors and file.name not in STRICTER:
            stricter.append(file.name)
    print("\n".join(lines))
    assert missed == [], f"Prefect {release} rejects or drops, we report no error: {missed}"
    assert stricter == [], f"we report an error where Prefect {release} accepts: {stricter}"


def test_stricter_cases_are_rejected_or_documented_for_3_9() -> None:
    """Every case excused above is one 3.9.1 rejects or the manifest documents as stricter."""
    expected = manifest()
    for name in STRICTER:
        verdict, notes = expected[name]
        assert verdict != "accept" or "SCHEMA-STRICTER" in notes or name.startswith("valid_"), \
            name


#: corpus files a release accepts (or drops a harmless key of) where we differ on purpose
CORPUS_STRICTER_BY_RELEASE: dict[str, str] = {
    **CORPUS_STRICTER,
    "CBIIT__prefect-toolkit__prefect.yaml":
        f"S002 `parameters: null` on releases without the model: {UNCHECKED}",
}
CORPUS_HARMLESS_BY_RELEASE: dict[str, tuple[str, str]] = {
    **CORPUS_HARMLESS_DROPS,
    "uclh-criu__crdm-tools__prefect__prefect.yaml":
        ("V001", "day_or: true dropped before 3.4.23; true is what those releases do anyway"),
}


@pytest.mark.slow
@pytest.mark.parametrize(("release", "target", "oracle"), [
    ("2.20.27", "2.20", ORACLE), ("3.3.7", "3.3", ORACLE), ("3.5.0", "3.5", MODEL_ORACLE),
])
def test_corpus_agrees_with_release(release: str, target: str, oracle: Path,
                                    tmp_path: Path) -> None:
    files = corpus_files("prefect_yaml")
    answers = ask(prefect_release_venv(release), files, tmp_path, oracle)
    missed, stricter = [], []
    for file in files:
        answer = answers[file.name]
        bad = (answer["verdict"] != "accept" or bool(answer.get("deploy_errors"))
               or bool(answer.get("deploy_dropped")))
        found = lint_corpus_file(file, target)
        errors = [code for code, severity in found if severity is Severity.ERROR]
        if bad and not errors:
            harmless = CORPUS_HARMLESS_BY_RELEASE.get(file.name)
            if harmless is None or harmless[0] not in [code for code, _ in found]:
                missed.append(file.name)
        if not bad and errors and file.name not in CORPUS_STRICTER_BY_RELEASE:
            stricter.append(file.name)
    assert missed == [], f"Prefect {release} rejects or drops, we report no error: {missed}"
    assert stricter == [], f"we report an error where Prefect {release} accepts: {stricter}"


def lint_corpus_file(path: Path, target: str) -> list[tuple[str, Severity]]:
    overrides = Overrides(select=FAMILIES, target_version=make_target(target, "test"))
    result = Runner(ConfigResolver(overrides, cwd=path.parent)).lint_path(path)
    assert result is not None
    return [(d.code, d.severity) for d in result.diagnostics]
