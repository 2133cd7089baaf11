"""JUnit XML, which most CI systems (GitLab, Jenkins, Azure, CircleCI) show as a test report.

One ``testsuite`` per checked file; one failing ``testcase`` per finding (named by code and
position, so the CI lists each problem), and one passing ``testcase`` for a clean file, so
the test count shows what was checked.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TextIO
from xml.etree import ElementTree

from linter.core.diagnostics import Diagnostic
from linter.lazy_regex import lazy_compile
from linter.report import Report

CLEAN_CASE = "no findings"
_NOT_XML = lazy_compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """XML 1.0 cannot carry most control characters, even escaped: show them as ``\\xNN``."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _case_name(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.code} at {diagnostic.start.row}:{diagnostic.start.column}"


def _details(diagnostic: Diagnostic) -> str:
    lines = [
        f"{diagnostic.filename}:{diagnostic.start.row}:{diagnostic.start.column}: "
        f"{diagnostic.code} [{diagnostic.severity.value}] {diagnostic.message}"
    ]
    if diagnostic.help:
        lines.append(f"help: {diagnostic.help}")
    if diagnostic.fix is not None:
        lines.append(f"fix: {diagnostic.fix.message}")
    if diagnostic.url:
        lines.append(diagnostic.url)
    return "\n".join(lines)


def junit_tree(report: Report) -> ElementTree.Element:
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for filename in report.sources:
        by_file[filename] = []
    for diagnostic in report.diagnostics:
        by_file[diagnostic.filename].append(diagnostic)
    suites = ElementTree.Element("testsuites", name="prefect-lint")
    total_tests = total_failures = 0
    for filename in sorted(by_file):
        findings = by_file[filename]
        tests = max(1, len(findings))
        suite = ElementTree.SubElement(
            suites, "testsuite", name=_xml_text(filename), tests=str(tests),
            failures=str(len(findings)), errors="0", skipped="0",
        )
        total_tests += tests
        total_failures += len(findings)
        if not findings:
            ElementTree.SubElement(suite, "testcase", name=CLEAN_CASE, classname=filename)
        for diagnostic in findings:
            case = ElementTree.SubElement(
                suite, "testcase", name=_case_name(diagnostic), classname=filename,
                file=filename, line=str(diagnostic.start.row),
            )
            failure = ElementTree.SubElement(
                case, "failure", message=_xml_text(diagnostic.message), type=diagnostic.code,
            )
            failure.text = _xml_text(_details(diagnostic))
    suites.set("tests", str(total_tests))
    suites.set("failures", str(total_failures))
    suites.set("errors", "0")
    return suites


def render(report: Report, out: TextIO) -> None:
    tree = junit_tree(report)
    ElementTree.indent(tree)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ElementTree.tostring(tree, encoding="unicode"))
    out.write("\n")
