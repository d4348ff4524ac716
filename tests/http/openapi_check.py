#!/usr/bin/python3
"""Checks the API's real answers against its OpenAPI 3.1 document (adapters/http/api/openapi.json).

    /usr/bin/python3 openapi_check.py DOCUMENT ANSWERS

DOCUMENT is the OpenAPI document. ANSWERS is a JSON array of answers the API gave, each
{"name", "method", "target", "status", "headers": {lower-case name: value}, "body": text}
(tests/http/api_contract_pgtest.cc records them from a live `rectify serve`).

First the document itself: OpenAPI 3.1, every $ref resolves, every schema is a valid JSON Schema
(2020-12), every {name} of a path is declared as a required path parameter and nothing else is,
operation ids are unique, responses described, request bodies closed (the server refuses unknown
fields).
Then each answer: its path and method are a documented operation, its status is one of the
operation's documented responses, the headers that response marks required are there and match
their schemas, and a JSON body is JSON of the documented schema. Response schemas are checked
closed: an object property the document does not declare fails (a documented object gets
unevaluatedProperties: false unless it says otherwise), so the document cannot fall behind the
handlers unnoticed. Formats date and date-time are checked.

Prints one line per failure ("FAIL <name>: <why>") and exits 1 when any answer fails; prints
"ok: N answers match" and exits 0 otherwise; exits 2 when the document itself is wrong. Runs on
Debian's python3 with python3-jsonschema (scripts/setup.sh installs it).
"""

import copy
import datetime
import json
import re
import sys

import jsonschema

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def resolve_pointer(doc, ref):
    if not ref.startswith("#/"):
        raise ValueError(f"$ref {ref}: only references inside the document are used")
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            raise ValueError(f"$ref {ref} does not resolve")
        node = node[part]
    return node


def inline(node, doc, stack=()):
    """A copy of `node` with every $ref replaced by what it names (the document has no cycles)."""
    if isinstance(node, list):
        return [inline(v, doc, stack) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in stack:
            raise ValueError(f"$ref {ref} refers to itself")
        target = inline(resolve_pointer(doc, ref), doc, stack + (ref,))
        siblings = {k: inline(v, doc, stack) for k, v in node.items() if k != "$ref"}
        if siblings:
            return {"allOf": [target], **siblings}
        return target
    return {k: inline(v, doc, stack) for k, v in node.items()}


SCHEMA_VALUED = ("items", "additionalProperties", "unevaluatedProperties", "not", "if", "then",
                 "else", "contains", "propertyNames")
SCHEMA_MAPS = ("properties", "patternProperties", "$defs")
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def close(schema, in_all_of=False):
    """Marks every documented object schema closed: unevaluatedProperties: false.

    Not the members of an allOf (their siblings add properties; the allOf's owner is closed), and
    not objects that say what else they take (additionalProperties) or declare no properties.
    """
    if not isinstance(schema, dict):
        return schema
    for key in SCHEMA_VALUED:
        if isinstance(schema.get(key), dict):
            close(schema[key])
    for key in SCHEMA_MAPS:
        for sub in (schema.get(key) or {}).values():
            close(sub)
    for key in SCHEMA_LISTS:
        for sub in schema.get(key) or []:
            close(sub, in_all_of=key == "allOf")
    types = schema.get("type")
    is_object = types == "object" or (isinstance(types, list) and "object" in types)
    composed = "allOf" in schema
    if (not in_all_of and ((is_object and "properties" in schema) or composed)
            and "additionalProperties" not in schema
            and "unevaluatedProperties" not in schema):
        schema["unevaluatedProperties"] = False
    return schema


FORMATS = jsonschema.FormatChecker()
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value):
    if not isinstance(value, str):
        return True
    if not DATE_TIME.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("date", raises=ValueError)
def is_date(value):
    if not isinstance(value, str):
        return True
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)")
    datetime.date.fromisoformat(value)
    return True


def validator(schema):
    return jsonschema.Draft202012Validator(schema, format_checker=FORMATS)


def check_document(doc):
    """The document's own faults, as messages."""
    faults = []
    if not str(doc.get("openapi", "")).startswith("3.1."):
        faults.append(f"openapi is {doc.get('openapi')!r}, not 3.1.x")
    try:
        inline(doc, doc)
    except ValueError as e:
        faults.append(str(e))
        return faults
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        try:
            jsonschema.Draft202012Validator.check_schema(inline(schema, doc))
        except jsonschema.SchemaError as e:
            faults.append(f"components.schemas.{name}: {e.message}")
    operation_ids = set()
    for path, item in doc.get("paths", {}).items():
        in_path = set(re.findall(r"\{([^}]+)\}", path))
        shared = [inline(p, doc) for p in item.get("parameters", [])]
        for method in METHODS:
            if method not in item:
                continue
            params = shared + [inline(p, doc) for p in item[method].get("parameters", [])]
            declared = {p["name"] for p in params if p.get("in") == "path"}
            for p in params:
                if p.get("in") == "path" and p.get("required") is not True:
                    faults.append(f"{method.upper()} {path}: path parameter {p['name']} "
                                  "must be required")
            if declared != in_path:
                faults.append(f"{method.upper()} {path}: path parameters {sorted(declared)} "
                              f"do not match the path's {sorted(in_path)}")
            operation = item[method]
            where = f"{method.upper()} {path}"
            if not operation.get("responses"):
                faults.append(f"{where}: no responses")
            for status, response in operation.get("responses", {}).items():
                if not inline(response, doc).get("description"):
                    faults.append(f"{where} {status}: a response needs a description")
            op_id = operation.get("operationId")
            if not op_id or op_id in operation_ids:
                faults.append(f"{where}: operationId {op_id!r} missing or not unique")
            operation_ids.add(op_id)
            # The server refuses unknown fields: the document says so. Except in a body a third
            # party defines and grows (an SMS provider's status reports: x-third-party-body).
            body = inline(operation.get("requestBody", {}), doc)
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None and schema.get("additionalProperties") is not False and \
                    operation.get("x-third-party-body") is not True:
                faults.append(f"{where}: the request body must say additionalProperties: false")
    return faults


def find_operation(doc, method, target):
    """(template, operation) for a concrete request, exact segments winning over {name} ones."""
    path = target.split("?", 1)[0]
    segments = path.split("/")
    best = None
    for template, item in doc.get("paths", {}).items():
        parts = template.split("/")
        if len(parts) != len(segments):
            continue
        score = 0
        for want, have in zip(parts, segments):
            if want.startswith("{") and want.endswith("}"):
                if not have:
                    break
            elif want == have:
                score += 1
            else:
                break
        else:
            if best is None or score > best[0]:
                best = (score, template, item)
    if best is None:
        return None, None
    _, template, item = best
    return template, item.get(method.lower())


def check_answer(doc, answer):
    """The faults of one answer, as messages."""
    method, target, status = answer["method"], answer["target"], answer["status"]
    template, operation = find_operation(doc, method, target)
    if operation is None:
        return [f"{method} {target} is not a documented operation"]
    where = f"{method} {template} {status}"
    responses = operation.get("responses", {})
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or \
        responses.get("default")
    if response is None:
        return [f"{where}: status {status} is not documented (documented: "
                f"{', '.join(sorted(responses))})"]
    response = inline(response, doc)
    faults = []
    headers = {k.lower(): v for k, v in answer.get("headers", {}).items()}
    for name, header in response.get("headers", {}).items():
        value = headers.get(name.lower())
        if value is None:
            if header.get("required"):
                faults.append(f"{where}: header {name} is missing")
            continue
        for e in validator(header.get("schema", {})).iter_errors(value):
            faults.append(f"{where}: header {name}: {e.message}")
    content = response.get("content", {})
    content_type = headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip()
    # A response documented in several media types (a report as JSON, CSV or XLSX): an answer in
    # another documented type is checked for its type only; its body is not JSON.
    if content and media != "application/json" and media in content:
        return faults
    if "application/json" in content:
        if not content_type.startswith("application/json"):
            faults.append(f"{where}: Content-Type is {content_type!r}, not application/json")
        try:
            body = json.loads(answer["body"])
        except ValueError as e:
            return faults + [f"{where}: the body is not JSON ({e})"]
        schema = close(copy.deepcopy(content["application/json"].get("schema", {})))
        errors = sorted(validator(schema).iter_errors(body), key=lambda e: list(e.path))
        # A property that fails its schema also counts as unevaluated: say the first fault only.
        if any(e.validator != "unevaluatedProperties" for e in errors):
            errors = [e for e in errors if e.validator != "unevaluatedProperties"]
        for e in errors:
            if e.context:  # oneOf, anyOf: say why the closest alternative (fewest faults) fails
                branches = {}
                for sub in e.context:
                    branches.setdefault(sub.relative_schema_path[0], []).append(sub)
                e = min(branches.values(), key=len)[0]
            at = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
            faults.append(f"{where}: {at}: {e.message}")
    return faults


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    faults = check_document(doc)
    if faults:
        for fault in faults:
            print(f"DOCUMENT: {fault}")
        return 2
    with open(argv[2], encoding="utf-8") as f:
        answers = json.load(f)
    failed = 0
    for answer in answers:
        faults = check_answer(doc, answer)
        failed += bool(faults)
        for fault in faults:
            print(f"FAIL {answer.get('name', '?')}: {fault}")
    if failed:
        print(f"{failed} of {len(answers)} answers do not match the document")
        return 1
    print(f"ok: {len(answers)} answers match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
