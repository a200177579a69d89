"""What the OpenAPI document promises beyond shapes: every decimal an exact string with its precision, cursors
typed, the Idempotency-Key and Retry-After headers, the units, and the ingest items as schemas."""

import re

import pytest


@pytest.fixture
def document(client, db):
    return client.get("/api/v1/openapi.json").json()


def _walk(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def test_no_decimal_is_left_as_an_unbounded_number_or_any_string(document):
    loose = [path for path, node in _walk(document["components"]) if node.get("anyOf") and
             {"type": "number"} in [{k: v for k, v in o.items() if k == "type"} for o in node["anyOf"]] and
             any(o.get("type") == "string" and "pattern" not in o for o in node["anyOf"])]
    assert loose == []
    fat = document["components"]["schemas"]["MilkIn"]["properties"]["fat"]["anyOf"][0]
    assert re.fullmatch(fat["pattern"], "4.09") and not re.fullmatch(fat["pattern"], "4.0899999")
    assert "at most 2 decimals" in fat["description"]
    assert document["components"]["schemas"]["SummaryOut"]["properties"]["saleable"]["pattern"]


def test_writes_name_the_idempotency_key_and_limits_name_retry_after(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            assert ("Idempotency-Key" in names) == (method in ("post", "patch", "put", "delete")), (method, path)
            assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)


def test_cursors_are_typed_and_units_are_stated(document):
    cursor = next(p for p in document["paths"]["/api/v1/milk/records"]["get"]["parameters"] if p["name"] == "cursor")
    assert cursor["schema"]["anyOf"][0]["pattern"] and "Opaque" in cursor["description"]
    assert "milk unit" in document["components"]["schemas"]["MilkIn"]["properties"]["quantity"]["description"]
    assert document["components"]["schemas"]["OrganisationOut"]["properties"]["milk_unit"]["enum"] == ["L", "kg"]
    items = document["components"]["schemas"]["IngestIn"]["properties"]["items"]["items"]["anyOf"]
    assert items == [{"$ref": "#/components/schemas/IfarmMilking"}, {"$ref": "#/components/schemas/IcarResource"}]
    assert "replace theirs" in document["paths"]["/api/v1/milk/records"]["post"]["description"]
