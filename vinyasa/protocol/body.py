"""Request bodies: JSON `{"data": {...}, "options": {...}}` or flat form fields; typed validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import orjson
from pydantic import BaseModel, ValidationError

from vinyasa.errors import InvalidRequest, validation_message
from vinyasa.protocol.values import parse_bool

M = TypeVar("M", bound=BaseModel)
MAX_NESTING = 32
NOT_UTF8 = "Request body must be UTF-8"


@dataclass
class Payload:
    """What a request body carried: the `data` object and any options (`fields`, `pretty`)."""

    data: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    present: bool = False  # a non-empty `data` object (or form fields) was sent


def _nul_path(value: Any, path: str = "") -> str | None:
    """Where a NUL character sits in a decoded body (PostgreSQL text cannot hold one), if anywhere."""
    if isinstance(value, str):
        return path or "data" if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return path or "data"
        found = _nul_path(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def _refuse_nul(payload: Payload) -> Payload:
    where = _nul_path(payload.data) or _nul_path(payload.options)
    if where is not None:
        raise InvalidRequest(f"{where}: NUL characters are not allowed")
    return payload


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_NESTING:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level)
    return level


def parse_body(raw: bytes, content_type: str) -> Payload:
    """Decode a body; an empty body or `{}` is an empty payload (the SDK sends `{}` on DELETE).

    Strings holding NUL are refused (400 naming the field) on every database alike."""
    return _refuse_nul(_decode(raw, content_type))


def _decode(raw: bytes, content_type: str) -> Payload:
    if not raw.strip():
        return Payload()
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        return _parse_form(raw)
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidRequest("Could not parse request data, invalid JSON") from None
    if not isinstance(doc, dict):
        raise InvalidRequest("Request data must be a JSON object")
    if _depth(doc) > MAX_NESTING:
        raise InvalidRequest("Request data is nested too deeply")
    data = doc.get("data", {})
    options = doc.get("options", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidRequest("data: Must be a JSON object")
    if not isinstance(options, dict):
        raise InvalidRequest("options: Must be a JSON object")
    return Payload(data=data, options=options, present=bool(data))


def _parse_form(raw: bytes) -> Payload:
    """Form fields (`opt_` ones are options). The body and every percent-escape in it must be
    UTF-8 (`%ED%A0%80`, a surrogate, is not): 400, rather than a field holding U+FFFD."""
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError:
        raise InvalidRequest(NOT_UTF8) from None
    data: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for key, value in pairs:
        if key.startswith("opt_"):
            options[key[4:]] = value
        else:
            data[key] = value
    return Payload(data=data, options=options, present=bool(data))


def pretty_option(value: Any) -> bool:
    """`opt_pretty` / `options.pretty`: a boolean (`parse_bool`), or empty for a bare `?opt_pretty`."""
    flag = True if value == "" else parse_bool(value)
    if flag is None:
        raise InvalidRequest("options.pretty: Not a boolean")
    return flag


def fields_option(value: Any) -> str | list[str] | None:
    """`opt_fields` / `options.fields`: a comma-separated string or a list of strings."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise InvalidRequest("options.fields: Must be a comma-separated string or a list of strings")


def validate(model: type[M], data: dict[str, Any]) -> M:
    """Validate a `data` object against an input model; problems become one 400 naming the fields."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(validation_message(exc.errors(), data)) from None
