"""Read policy files: their ``extends`` chain, their rules, and every mistake in them.

A policy file is YAML with ``extends`` (built-in packs such as ``prefect-lint:recommended``,
or other policy files, relative to the file naming them) and ``rules`` (code -> definition,
or code -> a severity to change an inherited rule). Any mistake is a ``ConfigError`` of one
line naming the file, the rule and the problem; the run then exits 2.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from linter.core.codes import BUILTIN_CODE, EXTERNAL_CODE
from linter.core.diagnostics import Severity
from linter.errors import ConfigError
from linter.policy.functions import FUNCTIONS, options_error
from linter.policy.paths import Finder, finder
from linter.project.config import PACK_PREFIX

PACKS_FOLDER = Path(__file__).resolve().parent / "packs"
SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "warn": Severity.WARNING,
              "info": Severity.INFO, "off": None}
FILE_KEYS = ("extends", "rules")
RULE_KEYS = ("description", "message", "severity", "given", "then", "view", "sensitive")
VIEWS = ("file", "effective")
THEN_KEYS = ("field", "function", "functionOptions")
#: Policy files are small; a larger one is refused rather than read whole.
MAX_POLICY_SIZE = 1024 * 1024
#: The message when a rule gives none.
DEFAULT_MESSAGE = "{{description}}: {{path}}: {{error}}"


class Then(NamedTuple):
    """One check: the function and its options, applied to ``field`` of each given value
    (a key, or a JSONPath relative to the value when it starts with ``$`` or ``@``)."""

    function: str
    options: Mapping[str, Any]
    field: str | None = None
    field_path: Finder | None = None  # the relative JSONPath's matches in a value


class PolicyRule(NamedTuple):
    code: str
    description: str
    message: str
    severity: Severity
    default: bool  # False for `severity: off`: known, selectable, not run by default
    given: tuple[tuple[str, Finder], ...]  # (text, the JSONPath's matches in some data)
    then: tuple[Then, ...]
    origin: str  # the policy file (or pack) that defines it
    digest: str
    #: `view: effective`: top-level build/push/pull copied into the deployments using them
    effective: bool = False
    #: `sensitive: true`: the values it points at are secrets, masked in code frames
    sensitive: bool = False


class _Reader:
    def __init__(self) -> None:
        self.rules: dict[str, PolicyRule] = {}
        self.done: set[str] = set()
        self.stack: list[str] = []

    def read(self, name: str, origin: str) -> None:
        """Read the policy file ``name`` (already absolute, or a pack) and what it extends."""
        if name in self.stack:
            chain = " -> ".join([*self.stack[self.stack.index(name):], name])
            raise ConfigError(f"{origin}: `extends` loop: {chain}")
        if name in self.done:
            return
        self.stack.append(name)
        data = _parse(name, origin)
        for parent in _extends(data, name):
            self.read(parent, name)
        for code, definition in _rules_table(data, name).items():
            self._add(str(code), definition, name)
        self.stack.pop()
        self.done.add(name)

    def _add(self, code: str, definition: Any, name: str) -> None:
        where = f"{name}: rule {code}"
        if not EXTERNAL_CODE.match(code):
            reserved = " (one-letter prefixes are reserved for built-in rules)" if (
                BUILTIN_CODE.match(code)) else ""
            raise ConfigError(f"{where}: a policy code is 2 to 5 upper-case letters and 3 "
                              f"digits, such as ORG001{reserved}")
        if isinstance(definition, str):  # `ORG001: off` changes an inherited rule
            inherited = self.rules.get(code)
            if inherited is None:
                raise ConfigError(f"{where}: sets severity {definition!r} but no policy it "
                                  f"extends defines {code}")
            severity, default = _severity(definition, where, inherited.severity)
            digest = hashlib.sha256(f"{inherited.digest}:{name}:{definition}".encode())
            self.rules[code] = inherited._replace(severity=severity, default=default,
                                                  digest=digest.hexdigest())
            return
        existing = self.rules.get(code)
        if existing is not None and existing.origin != name:
            raise ConfigError(f"{where}: clashes with {code} defined in {existing.origin}")
        self.rules[code] = _rule(code, definition, name, where)


def load_policies(files: Sequence[str], origin: str) -> tuple[list[PolicyRule], list[str]]:
    """The rules of ``files`` (absolute paths or packs) and what they extend, by code; and
    every policy file read (to tell later whether one has changed)."""
    reader = _Reader()
    for name in files:
        reader.read(name, origin)
    return sorted(reader.rules.values(), key=lambda rule: rule.code), sorted(reader.done)


def _parse(name: str, origin: str) -> Any:
    from linter.reading import InputError, read_regular_file
    from linter.source.document import DecodeError, Document, decode

    path = _pack_path(name, origin) if name.startswith(PACK_PREFIX) else Path(name)
    try:
        text = decode(read_regular_file(path, MAX_POLICY_SIZE)).text
    except InputError as error:
        raise ConfigError(f"{name}: " + str(error).replace(
            "cannot read the file", "cannot read the policy file", 1)) from None
    except DecodeError as error:
        raise ConfigError(f"{name}: cannot read the policy file: {error}") from None
    document = Document.from_text(text, name)
    if document.parse_error is not None:
        row = document.position(document.parse_error.offset).row
        raise ConfigError(f"{name}: line {row}: not valid YAML: "
                          f"{document.parse_error.message}")
    if document.root is not None and document.plain.fatal is not None:
        raise ConfigError(f"{name}: {document.plain.fatal}")
    data = document.data if document.root is not None else None
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: a policy file is a mapping with `extends` and/or `rules`")
    _refuse_unknown_keys(data, FILE_KEYS, name, f"(a policy file has {' and '.join(FILE_KEYS)})")
    return data


def _refuse_unknown_keys(mapping: dict[Any, Any], known: tuple[str, ...], where: str,
                         allowed: str) -> None:
    """A ``ConfigError`` naming the first key of ``mapping`` not in ``known``; ``allowed``
    says which keys the mapping may have."""
    unknown = [str(key) for key in mapping if key not in known]
    if unknown:
        raise ConfigError(f"{where}: unknown key `{unknown[0]}` {allowed}")


def _pack_path(name: str, origin: str) -> Path:
    pack = name[len(PACK_PREFIX):]
    path = PACKS_FOLDER / f"{pack}.yaml"
    if not pack.isidentifier() or not path.is_file():
        known = ", ".join(PACK_PREFIX + p.stem for p in sorted(PACKS_FOLDER.glob("*.yaml")))
        raise ConfigError(f"{origin}: no built-in policy pack {name!r} (known: {known})")
    return path


def _extends(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get("extends", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{name}: `extends` must be a list of policy files or packs")
    folder = Path(name).parent
    return [item if item.startswith(PACK_PREFIX) else str(folder / item) for item in value]


def _rules_table(data: Mapping[str, Any], name: str) -> Mapping[Any, Any]:
    rules = data.get("rules", {})
    if rules is None:
        return {}
    if not isinstance(rules, dict):
        raise ConfigError(f"{name}: `rules` must be a mapping of rule code to rule")
    return rules


def _severity(value: Any, where: str, fallback: Severity = Severity.WARNING
              ) -> tuple[Severity, bool]:
    if value is None:
        return fallback, True
    if not isinstance(value, str) or value.lower() not in SEVERITIES:
        raise ConfigError(f"{where}: severity must be error, warning, info or off; "
                          f"got {value!r}")
    severity = SEVERITIES[value.lower()]
    return (fallback, False) if severity is None else (severity, True)


def _rule(code: str, definition: Any, name: str, where: str) -> PolicyRule:
    if not isinstance(definition, dict):
        raise ConfigError(f"{where}: a rule is a mapping with `given` and `then` (or a "
                          "severity changing an inherited rule)")
    _refuse_unknown_keys(definition, RULE_KEYS, where, f"(a rule has {', '.join(RULE_KEYS)})")
    for key in ("given", "then"):
        if key not in definition:
            raise ConfigError(f"{where}: `{key}` is missing")
    description = definition.get("description", "")
    message = definition.get("message", DEFAULT_MESSAGE)
    if not isinstance(description, str) or not isinstance(message, str):
        raise ConfigError(f"{where}: `description` and `message` must be strings")
    severity, default = _severity(definition.get("severity"), where)
    sensitive = definition.get("sensitive", False)
    if not isinstance(sensitive, bool):
        raise ConfigError(f"{where}: `sensitive` must be true or false; got {sensitive!r}")
    view = definition.get("view", "file")
    if view not in VIEWS:
        raise ConfigError(f"{where}: `view` must be file or effective; got {view!r}")
    digest = hashlib.sha256(json.dumps([name, code, definition], sort_keys=True,
                                       default=str).encode()).hexdigest()
    return PolicyRule(
        code=code,
        description=description or code,
        message=message,
        severity=severity,
        default=default,
        given=tuple(_given(definition["given"], where)),
        then=tuple(_then(definition["then"], where)),
        origin=name,
        digest=digest,
        effective=view == "effective",
        sensitive=sensitive,
    )


def _given(value: Any, where: str) -> list[tuple[str, Finder]]:
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"{where}: `given` must be a JSONPath or a list of them")
    return [(text, compile_path(text, where)) for text in paths]


def compile_path(text: str, where: str) -> Finder:
    """An RFC 9535 JSONPath compiled (python-jsonpath, strict mode), or a ConfigError."""
    from jsonpath import JSONPathError

    try:
        return finder(_environment().compile(text))
    except JSONPathError as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(f"{where}: bad JSONPath {text!r}: {first_line}") from None


_ENVIRONMENT: list[Any] = []


def _environment() -> Any:
    if not _ENVIRONMENT:
        import jsonpath

        _ENVIRONMENT.append(jsonpath.JSONPathEnvironment(strict=True))
    return _ENVIRONMENT[0]


def _then(value: Any, where: str) -> list[Then]:
    checks = [value] if isinstance(value, dict) else value
    if not isinstance(checks, list) or not checks:
        raise ConfigError(f"{where}: `then` must be a check (a mapping) or a list of them")
    result = []
    for check in checks:
        if not isinstance(check, dict):
            raise ConfigError(f"{where}: each `then` check is a mapping with `function`")
        _refuse_unknown_keys(check, THEN_KEYS, where,
                             f"in `then` (a check has {', '.join(THEN_KEYS)})")
        function = check.get("function")
        if function not in FUNCTIONS:
            raise ConfigError(f"{where}: unknown function {function!r} (known: "
                              f"{', '.join(FUNCTIONS)})")
        options = check.get("functionOptions") or {}
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: `functionOptions` must be a mapping")
        options = dict(options)
        problem = options_error(function, options)
        if problem is not None:
            raise ConfigError(f"{where}: {problem}")
        result.append(_with_field(Then(function, options), check.get("field"), where))
    return result


def _with_field(then: Then, field: Any, where: str) -> Then:
    if field is None:
        return then
    if not isinstance(field, (str, int)) or isinstance(field, bool):
        raise ConfigError(f"{where}: `field` must be a key or a JSONPath")
    if isinstance(field, str) and field[:1] in ("$", "@"):
        return then._replace(field=field, field_path=compile_path("$" + field[1:], where))
    return then._replace(field=str(field))
