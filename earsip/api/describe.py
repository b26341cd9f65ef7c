"""The OpenAPI 3.1 description of API v1, generated from the routes and the declared models.

Each API view declares its operation with `@operation(...)`: a summary, the models of its
query string and body, and its answers (a model, a list of a model, raw bytes, nothing) and
error statuses. `spec(app)` walks the app's URL map and writes the description from those
declarations and the models' JSON Schemas (`model_json_schema()`), so a route cannot be left
out and a field cannot be described otherwise than it is validated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from earsip.schemas.base import ID_SCHEMA, ErrorBody, Model

PREFIX = "/api/v1/"
ERROR = {"$ref": "#/components/responses/Error"}


@dataclass(frozen=True)
class Answer:
    """One successful answer: JSON of a model (or a list of it), other media, or nothing."""

    description: str
    model: type[Model] | None = None
    many: bool = False
    media: Mapping[str, dict[str, Any]] | None = None


def json(description: str, model: type[Model], *, many: bool = False) -> Answer:
    return Answer(description, model, many)


def raw(description: str, media: Mapping[str, dict[str, Any]]) -> Answer:
    return Answer(description, media=media)


def empty(description: str) -> Answer:
    return Answer(description, media={})


@dataclass(frozen=True)
class Operation:
    summary: str
    answers: Mapping[int, Answer]
    errors: tuple[int, ...] = ()
    query: type[Model] | None = None
    body: type[Model] | None = None
    upload: type[Model] | None = None  # multipart: the model's fields plus a required `file`
    public: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # The upload's `file`: "one" (required) or "many" (zero or more, the field repeated).
    files: str = "one"


def operation(summary: str, *, answers: Mapping[int, Answer], errors: tuple[int, ...] = (),
              query: type[Model] | None = None, body: type[Model] | None = None,
              upload: type[Model] | None = None, files: str = "one",
              public: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare what an API view takes and answers, for the description."""
    op = Operation(summary, answers, errors, query, body, upload, public, files=files)

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        setattr(view, "operation", op)  # noqa: B010 - read back by spec()
        return view

    return mark


def schema_of(model: type[Model]) -> dict[str, Any]:
    """The model's JSON Schema with its definitions written in place (no $ref left)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    inlined: dict[str, Any] = inline(schema)
    return inlined


def _answer(status: int, answer: Answer) -> dict[str, Any]:
    body: dict[str, Any] = {"description": answer.description}
    if answer.model is not None:
        schema = schema_of(answer.model)
        if answer.many:
            schema = {"type": "array", "items": schema}
        body["content"] = {"application/json": {"schema": schema}}
    elif answer.media:
        body["content"] = {kind: {"schema": s} for kind, s in answer.media.items()}
    return body


def _parameters(rule_args: list[tuple[str, str]], query: type[Model] | None
                ) -> list[dict[str, Any]]:
    # An <int:…> argument is an id; any other (a classification code) a string.
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": dict(ID_SCHEMA) if converter == "int" else {"type": "string"}}
        for converter, name in rule_args]
    if query is not None:
        for name, prop in schema_of(query)["properties"].items():
            param: dict[str, Any] = {"name": name, "in": "query"}
            if "description" in prop:
                param["description"] = prop.pop("description")
            param["schema"] = prop
            params.append(param)
    return params


def _operation(op: Operation, rule_args: list[tuple[str, str]]) -> dict[str, Any]:
    described: dict[str, Any] = {"summary": op.summary}
    if op.public:
        described["security"] = []
    params = _parameters(rule_args, op.query)
    if params:
        described["parameters"] = params
    if op.body is not None:
        described["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": schema_of(op.body)}}}
    if op.upload is not None:
        schema = schema_of(op.upload)
        binary = {"type": "string", "format": "binary"}
        # "one" (a required `file`), "many" (`file` repeated), or "optional:<field>" (one
        # optional file under its own name).
        one = op.files == "one"
        field = op.files.partition(":")[2] or "file"
        schema["properties"] = {field: binary if op.files != "many"
                                else {"type": "array", "items": binary},
                                **schema.get("properties", {})}
        schema["required"] = [*(["file"] if one else []), *schema.get("required", ())]
        if not schema["required"]:
            del schema["required"]
        described["requestBody"] = {"required": True, "content": {"multipart/form-data": {
            "schema": schema}}}
    responses = {str(status): _answer(status, a) for status, a in op.answers.items()}
    responses.update({str(status): ERROR for status in op.errors})
    described["responses"] = responses
    return described


def spec(app: Flask) -> dict[str, Any]:
    """Return the OpenAPI document of API v1, from the app's API routes."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        op: Operation | None = getattr(view, "operation", None)
        if op is None:
            raise LookupError(f"{rule.rule} declares no @operation")
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        args = re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(op, args)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "E-Arsip API",
            "version": "1",
            "description": "Records management for Bawaslu offices. Messages are in Bahasa "
                           "Indonesia, or in English with Accept-Language: en. Every document "
                           "above the caller's clearance is answered as if it did not exist "
                           "(404), and never counted. See docs/API.md and docs/ACCESS.md.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "From POST /api/v1/tokens."}},
            "responses": {"Error": {
                "description": "An error, with a message that says why.",
                "content": {"application/json": {"schema": schema_of(ErrorBody)}}}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
