"""Property tests of the fixer over generated prefect.yaml files (hypothesis).

Documents carry comments, anchors and aliases, odd quoting, CRLF or LF, with or without a BOM,
and mutations that safe fixes repair: numbers where Prefect wants a string (Y008), unquoted
placeholders (Y009), stale suppression comments (M001). For every generated file:

* the fixed file parses, and fixing it again changes nothing;
* every line that no fix was meant to touch is byte-identical, in order;
* the data Prefect would load changes exactly as the fixes promise (the quoted text becomes
  the string value) and nowhere else;
* none of the fixed findings remain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.project.config import ConfigResolver, Settings
from linter.run.runner import Runner
from linter.source.document import Document, decode, encode

SETTINGS = Settings(root=Path("/"), select=("Y", "S", "M", "D001"))


@dataclass
class Generated:
    lines: list[tuple[str, bool]] = field(default_factory=list)  # (line, may be touched)
    expected: dict[str, Any] = field(default_factory=dict)  # data after fixing

    def add(self, line: str, touched: bool = False) -> None:
        self.lines.append((line, touched))


versions = st.sampled_from(["1.10", "2", "0.9", "3.0", "10", "1:30", "0777", "2024-05-01"])
quoted_versions = st.sampled_from(['"1.10"', "'2'", '"v3"'])
comments = st.sampled_from(["", "  # keep me", "   #note: x", "  # prefect-lint: disable=D001"])


@st.composite
def documents(draw: st.DrawFn) -> tuple[Generated, str, bytes]:
    gen = Generated()
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    gen.add("# generated prefect.yaml")
    gen.add("name: 'it''s a project'   # odd quoting")
    gen.add("definitions:")
    gen.add("  pool: &pool")
    gen.add("    name: k8s-prod")
    gen.add("    work_queue_name: default")
    gen.add("deployments:")
    deployments = []
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        entry: dict[str, Any] = {"name": f"dep-{index}"}
        gen.add(f"  - name: dep-{index}{draw(comments)}", touched=True)
        if draw(st.booleans()):
            raw = draw(versions)
            gen.add(f"    version: {raw}{draw(comments)}", touched=True)
            entry["version"] = raw
        else:
            raw = draw(quoted_versions)
            gen.add(f"    version: {raw}")
            entry["version"] = raw.strip("\"'")
        gen.add(f"    entrypoint: flows/f{index}.py:f{index}")
        entry["entrypoint"] = f"flows/f{index}.py:f{index}"
        if draw(st.booleans()):
            gen.add("    work_pool: *pool")
            entry["work_pool"] = {"name": "k8s-prod", "work_queue_name": "default"}
        else:
            gen.add("    work_pool:")
            gen.add("      name: docker")
            gen.add("      job_variables:")
            if draw(st.booleans()):
                gen.add("        image: {{ build.image }}" + draw(comments), touched=True)
            else:
                gen.add('        image: "{{ build.image }}"')
            entry["work_pool"] = {"name": "docker",
                                  "job_variables": {"image": "{{ build.image }}"}}
        deployments.append(entry)
    gen.expected = {
        "name": "it's a project",
        "definitions": {"pool": {"name": "k8s-prod", "work_queue_name": "default"}},
        "deployments": deployments,
    }
    text = newline.join(line for line, _ in gen.lines) + newline
    return gen, text, bom


def fix(text: str) -> tuple[str, list[str]]:
    runner = Runner(ConfigResolver(cwd=Path("/")), fix=True)
    result = runner.lint_text(text, "prefect.yaml", None, SETTINGS)
    return (result.fixed_text if result.fixed_text is not None else text,
            [d.code for d in result.applied])


def check_properties(generated: tuple[Generated, str, bytes]) -> None:
    gen, text, bom = generated
    raw = encode(text, "utf-8", bom)
    decoded = decode(raw)
    fixed, applied = fix(decoded.text)

    # it parses, and a second round has nothing left to do
    document = Document.from_text(fixed, "prefect.yaml")
    assert document.parse_error is None
    again, applied_again = fix(fixed)
    assert again == fixed and applied_again == []

    # untouched lines are byte-identical and in order (line endings included)
    newline = "\r\n" if "\r\n" in text else "\n"
    fixed_lines = fixed.split(newline)
    cursor = 0
    for line, touched in gen.lines:
        if touched:
            continue
        while cursor < len(fixed_lines) and fixed_lines[cursor] != line:
            cursor += 1
        assert cursor < len(fixed_lines), f"line lost or changed: {line!r}"
        cursor += 1
    assert fixed.endswith(newline)

    # the data changes only as promised
    assert document.data == gen.expected

    # the BOM and encoding survive a write
    assert encode(fixed, decoded.encoding, decoded.bom).startswith(bom)
    assert set(applied) <= {"Y008", "Y009", "M001"}


@settings(max_examples=40, deadline=None)
@given(documents())
def test_fixer_properties(generated: tuple[Generated, str, bytes]) -> None:
    check_properties(generated)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(documents())
def test_fixer_properties_many(generated: tuple[Generated, str, bytes]) -> None:
    check_properties(generated)
