"""Probity's record types, read from the bundled Avro schemas (``probity/schemas/*.avsc``).

Everything here follows the schema files rather than hand-written rules:
required fields, types, enum symbols, defaults and unions come from the
``.avsc``; the semantic rules (tenant pattern, SHA-256 fields, timestamps in
range, …) are the notary's, found by field name as ``packages/schema`` finds
them. A record is turned into

- its Avro value (validated; every problem reported with its field path),
- the single-object bytes the gateway will produce from it (so the content
  hash, which emitter signatures cover, is known before sending), and
- the JSON form sent over HTTP, written so the gateway reads back exactly
  that value.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import struct
import uuid as _uuid
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable, Mapping

from .errors import FieldIssue, ValidationError

__all__ = ["RECORD_TYPES", "EncodedRecord", "RecordSchema", "schema_for", "encode_record", "fingerprint64"]

#: Every record type with a bundled schema (``probity/schemas/<Type>.v<N>.avsc``).
RECORD_TYPES: tuple[str, ...] = tuple(
    sorted({entry.name.split(".v")[0] for entry in resources.files("probity").joinpath("schemas").iterdir() if entry.name.endswith(".avsc")})
)

TENANT_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}\Z")
CONTROL_PATTERN = re.compile(r"^[a-z0-9]+:[A-Za-z0-9._-]+\Z")
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}\Z")
UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
COMMIT_SHA_PATTERN = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})\Z")
ISO_8601 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})\Z")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
EARLIEST_TIMESTAMP_MICROS = 946_684_800_000_000
MAX_FUTURE_SKEW_MICROS = 86_400_000_000
MAX_SAFE_INTEGER = 2**53 - 1
NON_NEGATIVE_FIELDS = {"size_bytes", "sample_size", "row_count", "input_tokens", "output_tokens", "duration_ms", "latency_ms"}
CROSS_FIELD_SPANS = (("", "started_at", "finished_at"), ("reference_window", "from", "to"), ("current_window", "from", "to"))
PLACEHOLDER_SYMBOL = "UNKNOWN"


# --- schema tree -----------------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    """One Avro type: ``kind`` is a primitive name, ``record``, ``enum``, ``array``, ``map``, ``fixed`` or ``union``."""

    kind: str
    logical: str | None = None
    name: str | None = None
    fields: list[tuple[str, "Node", Any, bool]] | None = None  # (name, type, default, has default)
    symbols: list[str] | None = None
    enum_default: str | None = None
    items: "Node | None" = None
    branches: list["Node"] | None = None
    size: int | None = None

    @property
    def wrapped(self) -> bool:
        # avsc's wrapUnions "auto": a union is wrapped when its non-null branches are ambiguous (several records).
        return self.kind == "union" and sum(1 for b in self.branches or [] if b.kind == "record") > 1


PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def _parse(schema: Any, namespace: str | None, named: dict[str, Node], defined: set[str]) -> Node:
    if isinstance(schema, str):
        if schema in PRIMITIVES:
            return Node(kind=schema)
        full = schema if "." in schema else f"{namespace}.{schema}" if namespace else schema
        node = named[full]
        return node
    if isinstance(schema, list):
        return Node(kind="union", branches=[_parse(b, namespace, named, defined) for b in schema])
    kind = schema["type"]
    if isinstance(kind, (dict, list)) or (isinstance(kind, str) and kind not in PRIMITIVES and kind not in ("record", "enum", "array", "map", "fixed")):
        return _parse(kind, namespace, named, defined)
    if kind in PRIMITIVES:
        return Node(kind=kind, logical=schema.get("logicalType"))
    if kind in ("record", "enum", "fixed"):
        space = schema.get("namespace", namespace)
        name = schema["name"]
        full = name if "." in name else f"{space}.{name}" if space else name
        node = Node(kind=kind, name=full)
        named[full] = node
        if kind == "record":
            node.fields = []
            for field in schema["fields"]:
                child = _parse(field["type"], full.rsplit(".", 1)[0] if "." in full else None, named, defined)
                node.fields.append((field["name"], child, field.get("default"), "default" in field))
        elif kind == "enum":
            node.symbols = list(schema["symbols"])
            node.enum_default = schema.get("default")
        else:
            node.size = int(schema["size"])
        return node
    if kind == "array":
        return Node(kind="array", items=_parse(schema["items"], namespace, named, defined))
    if kind == "map":
        return Node(kind="map", items=_parse(schema["values"], namespace, named, defined))
    raise ValueError(f"unsupported schema type {kind!r}")


def _canonical(node: Node, seen: set[str]) -> str:
    """Avro's Parsing Canonical Form (spec §"Parsing Canonical Form for Schemas")."""
    q = json.dumps
    if node.kind in PRIMITIVES:
        return q(node.kind)
    if node.kind == "union":
        return "[" + ",".join(_canonical(b, seen) for b in node.branches or []) + "]"
    if node.kind == "array":
        return '{"type":"array","items":' + _canonical(node.items, seen) + "}"  # type: ignore[arg-type]
    if node.kind == "map":
        return '{"type":"map","values":' + _canonical(node.items, seen) + "}"  # type: ignore[arg-type]
    assert node.name is not None
    if node.name in seen:
        return q(node.name)
    seen.add(node.name)
    if node.kind == "record":
        fields = ",".join('{"name":' + q(name) + ',"type":' + _canonical(child, seen) + "}" for name, child, _, _ in node.fields or [])
        return '{"name":' + q(node.name) + ',"type":"record","fields":[' + fields + "]}"
    if node.kind == "enum":
        return '{"name":' + q(node.name) + ',"type":"enum","symbols":[' + ",".join(q(s) for s in node.symbols or []) + "]}"
    return '{"name":' + q(node.name) + ',"type":"fixed","size":' + str(node.size) + "}"


_EMPTY = 0xC15D213AA4D7A795
_TABLE: list[int] = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY & -(_fp & 1))
    _TABLE.append(_fp)


def fingerprint64(text: str) -> bytes:
    """CRC-64-AVRO (Rabin) of a canonical form, little-endian, as single-object encoding writes it."""
    fp = _EMPTY
    for byte in text.encode("utf-8"):
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp.to_bytes(8, "little")


@dataclass
class RecordSchema:
    record_type: str
    version: int
    root: Node
    canonical_form: str
    fingerprint: bytes


_SCHEMAS: dict[str, RecordSchema] = {}


def schema_for(record_type: str) -> RecordSchema:
    """The current (highest) bundled version of a record type."""
    if record_type not in RECORD_TYPES:
        raise ValidationError(record_type, [FieldIssue("", f"unknown record type {record_type!r}; expected one of {', '.join(RECORD_TYPES)}")])
    cached = _SCHEMAS.get(record_type)
    if cached:
        return cached
    folder = resources.files("probity") / "schemas"
    versions = sorted(
        (int(m.group(1)), entry) for entry in folder.iterdir() if (m := re.fullmatch(re.escape(record_type) + r"\.v(\d+)\.avsc", entry.name))
    )
    version, entry = versions[-1]
    root = _parse(json.loads(entry.read_text("utf-8")), None, {}, set())
    canonical = _canonical(root, set())
    schema = RecordSchema(record_type, version, root, canonical, fingerprint64(canonical))
    _SCHEMAS[record_type] = schema
    return schema


# --- input → Avro value (with issues) --------------------------------------------------------------


def _append_key(path: str, key: str) -> str:
    if IDENTIFIER.match(key):
        return key if path == "" else f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {json.dumps(value)[:60]}"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _describe_type(node: Node) -> str:
    if node.logical == "timestamp-micros":
        return "a timestamp (ISO-8601 with a zone, an aware datetime, or epoch milliseconds)"
    if node.logical == "uuid":
        return "a UUID string"
    if node.kind == "enum":
        return f"one of {', '.join(node.symbols or [])}"
    if node.kind == "record":
        return f"a {node.name.rsplit('.', 1)[-1] if node.name else 'record'} object"
    if node.kind == "union":
        return " or ".join(_describe_type(b) for b in node.branches or [])
    if node.kind == "array":
        return "an array"
    if node.kind == "map":
        return "an object of string keys"
    return {"string": "a string", "long": "an integer", "int": "a 32-bit integer", "double": "a number", "float": "a number", "boolean": "a boolean", "null": "null", "bytes": "a hex string"}.get(node.kind, node.kind)


def _branch_key(node: Node) -> str:
    """The JSON spelling of a wrapped union's branch: `TrainingDetails` → `training`."""
    if node.kind != "record":
        return node.kind
    short = (node.name or "").rsplit(".", 1)[-1]
    base = short[: -len("Details")] if short.endswith("Details") and short != "Details" else short
    return base[:1].lower() + base[1:]


def _integral(value: Any) -> int | None:
    """The value as JSON (and so the gateway) sees it: a number that is a safe integer, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        return int(value)
    return None


def parse_iso_micros(text: str) -> int | str:
    """Epoch microseconds of an ISO-8601 date-time with a zone, or the reason it is not one (the gateway's rule)."""
    match = ISO_8601.match(text)
    if not match:
        return "expected an ISO-8601 date-time with a zone, e.g. 2025-03-01T12:00:00Z"
    y, mo, d, h, mi, s, fraction, zone = match.groups()
    try:
        moment = _dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=_dt.timezone.utc)
    except ValueError:
        return "not a real calendar date and time"
    digits = (fraction or "").ljust(9, "0")
    if digits[6:] != "000":
        return "more precise than a microsecond"
    offset = 0
    if zone != "Z":
        sign = -1 if zone.startswith("-") else 1
        offset = sign * (int(zone[1:3]) * 60 + int(zone[4:6]))
    seconds = int(moment.timestamp()) - offset * 60
    return seconds * 1_000_000 + int(digits[:6])


def format_iso_micros(micros: int) -> str:
    """ISO-8601 in UTC with six fraction digits: the gateway reads it back to the same microsecond."""
    seconds, rest = divmod(micros, 1_000_000)
    moment = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{rest:06d}Z"


def _timestamp_micros(value: Any) -> int | str:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return "a datetime without a time zone is ambiguous: use an aware datetime (e.g. datetime.now(timezone.utc))"
        delta = value - _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(value, str):
        return parse_iso_micros(value)
    number = None if isinstance(value, bool) else value if isinstance(value, (int, float)) else None
    if number is not None and math.isfinite(number):
        micros = number * 1000
        if float(micros).is_integer() and abs(micros) <= MAX_SAFE_INTEGER:
            return int(micros)
    return f"expected an ISO-8601 date-time string, an aware datetime or epoch milliseconds, got {_describe(value)}"


class _Converter:
    def __init__(self) -> None:
        self.issues: list[FieldIssue] = []

    def add(self, path: str, message: str) -> None:
        self.issues.append(FieldIssue(path, message))

    def convert(self, node: Node, value: Any, path: str) -> Any:
        def mismatch() -> Any:
            self.add(path, f"expected {_describe_type(node)}, got {_describe(value)}")
            return value

        if node.logical == "timestamp-micros" and node.kind == "long":
            micros = _timestamp_micros(value)
            if isinstance(micros, str):
                self.add(path, micros)
                return value
            return micros
        if node.logical == "uuid" and node.kind == "string":
            if isinstance(value, _uuid.UUID):
                return str(value)
            return value.lower() if isinstance(value, str) else mismatch()
        kind = node.kind
        if kind == "null":
            return None if value is None else mismatch()
        if kind == "boolean":
            return value if isinstance(value, bool) else mismatch()
        if kind in ("int", "long"):
            number = _integral(value)
            if number is None or (kind == "int" and not -(2**31) <= number < 2**31):
                return mismatch()
            return number
        if kind in ("float", "double"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                return mismatch()
            return float(value)
        if kind == "string":
            return value if isinstance(value, str) else mismatch()
        if kind in ("bytes", "fixed"):
            if isinstance(value, (bytes, bytearray)):
                raw = bytes(value)
            elif isinstance(value, str) and re.fullmatch(r"(?:[0-9a-fA-F]{2})*", value):
                raw = bytes.fromhex(value)
            else:
                return mismatch()
            if kind == "fixed" and len(raw) != node.size:
                return mismatch()
            return raw
        if kind == "enum":
            text = getattr(value, "value", value)  # a Python Enum member works too
            if not isinstance(text, str):
                return mismatch()
            for symbol in node.symbols or []:
                if symbol.lower() == text.lower():
                    return symbol
            return mismatch()
        if kind == "array":
            if not isinstance(value, (list, tuple)):
                return mismatch()
            return [self.convert(node.items, item, f"{path}[{i}]") for i, item in enumerate(value)]  # type: ignore[arg-type]
        if kind == "map":
            if not isinstance(value, Mapping):
                return mismatch()
            out: dict[str, Any] = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    self.add(path, f"map keys must be strings, got {_describe(key)}")
                    continue
                if key == "__proto__":
                    self.add(_append_key(path, key), "this key cannot be stored (JavaScript readers drop it)")
                    continue
                out[key] = self.convert(node.items, item, _append_key(path, key))  # type: ignore[arg-type]
            return out
        if kind == "union":
            return self.convert_union(node, value, path)
        if kind == "record":
            return self.convert_record(node, value, path)
        return mismatch()

    def convert_record(self, node: Node, value: Any, path: str) -> Any:
        if not isinstance(value, Mapping):
            self.add(path, f"expected {_describe_type(node)}, got {_describe(value)}")
            return value
        out: dict[str, Any] = {}
        for name, child, default, has_default in node.fields or []:
            field_path = _append_key(path, name)
            given = value.get(name, _MISSING)
            accepts_null = child.kind == "null" or (child.kind == "union" and any(b.kind == "null" for b in child.branches or []))
            if given is _MISSING or (given is None and not accepts_null):
                if has_default:
                    out[name] = _default_value(child, default)
                else:
                    self.add(field_path, f"is required: {_describe_type(child)}")
                continue
            out[name] = self.convert(child, given, field_path)
        declared = {name for name, _, _, _ in node.fields or []}
        for key in value:
            if key not in declared:
                names = ", ".join(name for name, _, _, _ in node.fields or [])
                self.add(_append_key(path, str(key)), f"unknown field ({(node.name or 'record').rsplit('.', 1)[-1]} has: {names})")
        return out

    def convert_union(self, node: Node, value: Any, path: str) -> Any:
        branches = node.branches or []
        if value is None and any(b.kind == "null" for b in branches):
            return None
        candidates = [b for b in branches if b.kind != "null"]
        if node.wrapped:
            keys = list(value.keys()) if isinstance(value, Mapping) else []
            match = next((b for b in candidates if len(keys) == 1 and _branch_key(b) == keys[0]), None)
            if match is None:
                expected = ", ".join(_branch_key(b) for b in candidates)
                self.add(path, f"expected an object with exactly one of the keys {expected}, or null")
                return value
            return _Wrapped(match, self.convert(match, value[keys[0]], _append_key(path, keys[0])))
        if len(candidates) == 1:
            return self.convert(candidates[0], value, path)
        for branch in candidates:
            attempt = _Converter()
            converted = attempt.convert(branch, value, path)
            if not attempt.issues:
                return converted
        self.add(path, f"expected {_describe_type(node)}, got {_describe(value)}")
        return value


class _Missing:
    pass


_MISSING = _Missing()


@dataclass
class _Wrapped:
    """A value of a wrapped union, with the branch it was written as."""

    branch: Node
    value: Any


def _default_value(node: Node, default: Any) -> Any:
    """A schema default as an Avro value (a union's default is of its first branch)."""
    if node.kind == "union":
        first = (node.branches or [])[0]
        return None if first.kind == "null" else _default_value(first, default)
    if node.kind in ("bytes", "fixed"):
        return default.encode("latin-1")
    if node.kind == "record":
        return {name: _default_value(child, default.get(name, fd)) for name, child, fd, _ in node.fields or []}
    if node.kind in ("float", "double"):
        return float(default)
    return default


# --- semantic rules (the notary's, found by field name) ----------------------------------------


def _string_rule(field: str, value: str) -> str | None:
    if field == "sha256" or field.endswith("_sha256"):
        return None if SHA256_PATTERN.match(value) else "must be a SHA-256 digest: 64 lowercase hex characters"
    if field == "commit_sha":
        return None if COMMIT_SHA_PATTERN.match(value) else "must be a full commit hash: 40 or 64 lowercase hex characters"
    if field == "id" or field.endswith("_id") or field in ("principal", "role"):
        return "must not be blank" if value.strip() == "" else None
    return None


def _number_rule(field: str, value: float) -> str | None:
    if field in NON_NEGATIVE_FIELDS:
        return None if value >= 0 else "must not be negative"
    if field == "p_value":
        return None if 0 <= value <= 1 else "must be between 0 and 1"
    return None


def _semantics(node: Node, value: Any, path: str, field: str | None, latest: int, add: Callable[[str, str], None]) -> None:
    if isinstance(value, _Wrapped):
        _semantics(value.branch, value.value, _append_key(path, _branch_key(value.branch)), field, latest, add)
        return
    if node.kind == "union":
        if value is None:
            return
        branch = _branch_of(node, value)
        if branch is not None:
            _semantics(branch, value, path, field, latest, add)
        return
    if node.logical == "timestamp-micros" and isinstance(value, int):
        if value < EARLIEST_TIMESTAMP_MICROS:
            add(path, f"timestamp {value} is before 2000-01-01 (is it in seconds or milliseconds instead of microseconds?)")
        elif value > latest:
            add(path, f"timestamp {format_iso_micros(value)} is more than a day in the future")
        return
    if node.logical == "uuid" and isinstance(value, str):
        if not UUID_PATTERN.match(value):
            add(path, "must be a UUID in lowercase canonical form (8-4-4-4-12 hex digits)")
        return
    if node.kind == "enum" and node.enum_default == PLACEHOLDER_SYMBOL and value == PLACEHOLDER_SYMBOL:
        add(path, "UNKNOWN is what readers show for a value added after their schema version; write the actual value")
        return
    if field is not None and isinstance(value, str) and node.kind in ("string", "enum"):
        problem = _string_rule(field, value)
        if problem:
            add(path, problem)
    if field is not None and isinstance(value, (int, float)) and not isinstance(value, bool) and node.kind in ("int", "long", "float", "double"):
        problem = _number_rule(field, value)
        if problem:
            add(path, problem)
    if node.kind == "record" and isinstance(value, dict):
        for name, child, _, _ in node.fields or []:
            if name in value:
                _semantics(child, value[name], _append_key(path, name), name, latest, add)
    elif node.kind == "array" and isinstance(value, list):
        for i, item in enumerate(value):
            _semantics(node.items, item, f"{path}[{i}]", field, latest, add)  # type: ignore[arg-type]
    elif node.kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            _semantics(node.items, item, _append_key(path, key), field, latest, add)  # type: ignore[arg-type]


def _branch_of(node: Node, value: Any) -> Node | None:
    """The branch an unwrapped union's (valid) value is written as: the first that takes it."""
    for branch in node.branches or []:
        if _fits(branch, value):
            return branch
    return None


def _fits(node: Node, value: Any) -> bool:
    kind = node.kind
    if kind == "null":
        return value is None
    if kind == "boolean":
        return isinstance(value, bool)
    if kind in ("int", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("float", "double"):
        return isinstance(value, float)
    if kind in ("string", "enum"):
        return isinstance(value, str)
    if kind in ("bytes", "fixed"):
        return isinstance(value, bytes)
    if kind == "array":
        return isinstance(value, list)
    if kind in ("map", "record"):
        return isinstance(value, dict)
    return False


def semantic_issues(schema: RecordSchema, value: dict[str, Any], now: _dt.datetime | None = None) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    moment = now or _dt.datetime.now(_dt.timezone.utc)
    latest = int(moment.timestamp() * 1_000_000) + MAX_FUTURE_SKEW_MICROS

    def add(path: str, message: str) -> None:
        issues.append(FieldIssue(path, message))

    _semantics(schema.root, value, "", None, latest, add)
    tenant = value.get("tenant")
    if isinstance(tenant, str) and not TENANT_PATTERN.match(tenant):
        add("tenant", 'must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter or digit')
    controls = value.get("controls")
    if isinstance(controls, list):
        for i, control in enumerate(controls):
            if isinstance(control, str) and not CONTROL_PATTERN.match(control):
                add(f"controls[{i}]", "must look like <framework>:<control>, e.g. iso42001:A.6.2.4")
    for prefix, start, end in CROSS_FIELD_SPANS:
        span = value if prefix == "" else value.get(prefix)
        if isinstance(span, dict) and isinstance(span.get(start), int) and isinstance(span.get(end), int) and span[start] > span[end]:
            add(end if prefix == "" else f"{prefix}.{end}", f"must not be before {start}")
    return issues


# --- Avro binary encoding and the JSON form -------------------------------------------------------


def _write_long(out: bytearray, n: int) -> None:
    n = (n << 1) ^ (n >> 63)
    while n & ~0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _write_bytes(out: bytearray, data: bytes) -> None:
    _write_long(out, len(data))
    out += data


def _is_array_index(key: str) -> bool:
    return key == "0" or (re.fullmatch(r"[1-9][0-9]*", key) is not None and int(key) < 2**32 - 1)


def js_key_order(keys: list[str]) -> list[str]:
    """Map entries in the order the gateway writes them: sorted by UTF-16 code units, except that a
    JavaScript object lists integer-like keys first, in numeric order."""
    indexes = sorted((k for k in keys if _is_array_index(k)), key=int)
    others = sorted((k for k in keys if not _is_array_index(k)), key=lambda k: k.encode("utf-16-be"))
    return indexes + others


def _encode(node: Node, value: Any, out: bytearray) -> None:
    kind = node.kind
    if isinstance(value, _Wrapped):
        _write_long(out, next(i for i, b in enumerate(node.branches or []) if b is value.branch))
        _encode(value.branch, value.value, out)
        return
    if kind == "union":
        branch = _branch_of(node, value)
        assert branch is not None
        _write_long(out, next(i for i, b in enumerate(node.branches or []) if b is branch))
        _encode(branch, value, out)
    elif kind == "null":
        pass
    elif kind == "boolean":
        out.append(1 if value else 0)
    elif kind in ("int", "long"):
        _write_long(out, value)
    elif kind == "float":
        out += struct.pack("<f", value)
    elif kind == "double":
        out += struct.pack("<d", value)
    elif kind == "string":
        _write_bytes(out, value.encode("utf-8"))
    elif kind == "bytes":
        _write_bytes(out, value)
    elif kind == "fixed":
        out += value
    elif kind == "enum":
        _write_long(out, (node.symbols or []).index(value))
    elif kind == "array":
        if value:
            _write_long(out, len(value))
            for item in value:
                _encode(node.items, item, out)  # type: ignore[arg-type]
        _write_long(out, 0)
    elif kind == "map":
        if value:
            _write_long(out, len(value))
            for key in js_key_order(list(value)):
                _write_bytes(out, key.encode("utf-8"))
                _encode(node.items, value[key], out)  # type: ignore[arg-type]
        _write_long(out, 0)
    elif kind == "record":
        for name, child, _, _ in node.fields or []:
            _encode(child, value[name], out)
    else:
        raise ValueError(f"cannot encode {kind}")


def _to_json(node: Node, value: Any) -> Any:
    """The Avro value in the JSON form the gateway reads (the inverse of the conversion above)."""
    if isinstance(value, _Wrapped):
        return {_branch_key(value.branch): _to_json(value.branch, value.value)}
    if node.kind == "union":
        branch = _branch_of(node, value)
        return None if branch is None or value is None else _to_json(branch, value)
    if node.logical == "timestamp-micros":
        return format_iso_micros(value)
    if node.kind in ("bytes", "fixed"):
        return value.hex()
    if node.kind == "array":
        return [_to_json(node.items, item) for item in value]  # type: ignore[arg-type]
    if node.kind == "map":
        return {key: _to_json(node.items, value[key]) for key in js_key_order(list(value))}  # type: ignore[arg-type]
    if node.kind == "record":
        return {name: _to_json(child, value[name]) for name, child, _, _ in node.fields or []}
    return value


@dataclass(frozen=True)
class EncodedRecord:
    """A validated record: its type, tenant, single-object bytes, content hash and JSON form to send."""

    record_type: str
    tenant: str
    content_hash: str
    single_object: bytes
    json: dict[str, Any]


def encode_record(record_type: str, record: Mapping[str, Any], now: _dt.datetime | None = None) -> EncodedRecord:
    """Validate a record (raising ``ValidationError`` with every field issue) and encode it."""
    import hashlib

    schema = schema_for(record_type)
    converter = _Converter()
    value = converter.convert_record(schema.root, record, "")
    issues = converter.issues
    if not issues:
        issues = semantic_issues(schema, value, now)
    if issues:
        raise ValidationError(record_type, issues)
    body = bytearray(b"\xc3\x01")
    body += schema.fingerprint
    _encode(schema.root, value, body)
    data = bytes(body)
    return EncodedRecord(record_type, value["tenant"], hashlib.sha256(data).hexdigest(), data, _to_json(schema.root, value))
