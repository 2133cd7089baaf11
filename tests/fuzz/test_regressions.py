"""Every input the fuzzer ever crashed on, and the seed fixtures, through the harness."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.harness import check_bytes

CRASHES = sorted((Path(__file__).parent / "crashes").glob("*"))
HAND_MADE = [
    b"",
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe" + "a: 1\n".encode("utf-16-le"),
    b"a: &a [*a]\n",
    b"- - - - -\n",
    b"deployments: [{name: {{ x }}}]\n",
    b"deployments:\n  - name: a\n    tags: [\n",
    b"? [a, b]\n: c\n",
    b"!!binary AAAA: x\n",
    b"a: !!binary '@@@'\n",
    b"a: !!timestamp 2024-13-45\n",
    b"deployments:\n- schedules: {}\n  version: 1.0\n  tags: a\n  x: 1\n" * 3,
    b"%YAML 1.2\n---\na: 1\n",
    b"\t- a\n",
    b"a:\r\n  b: 1\r\n  b: 2 # prefect-lint: disable=Y002,Q\r",
]


@pytest.mark.parametrize("data", HAND_MADE + [p.read_bytes() for p in CRASHES],
                         ids=lambda d: repr(d[:30]))
def test_no_crash(data: bytes) -> None:
    check_bytes(data)
