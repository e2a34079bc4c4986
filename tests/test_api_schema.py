"""The OpenAPI document tells the truth: it is valid OpenAPI, every endpoint names the schema of
its answer and the errors it can answer (400, never FastAPI's 422 for a bad parameter), and the
answers of a real `bilateral serve` process over the bundled examples, on SQLite and on
PostgreSQL, validate against those schemas, errors included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bilateral.dossier import load_dossier
from bilateral.ingest.run import ingest
from bilateral.serve import ServeSettings, create_app
from bilateral.store import open_store
from live import running_server
from test_api import database, seed

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"
BASE_URI = "urn:bilateral:openapi"
LIMIT = 20_000  # bytes of a request body the writing server takes

ANY = {"400", "429", "503", "default"}  # the rate limit, a bad parameter, the store
#: Every operation, its success status and the errors it documents.
OPERATIONS = {
    ("get", "/api/health"): ("200", ANY),
    ("get", "/api/documents"): ("200", ANY),
    ("post", "/api/documents"): ("201", ANY | {"401", "413", "415", "422"}),
    ("get", "/api/documents/{ref}"): ("200", ANY | {"404"}),
    ("get", "/api/search"): ("200", ANY),
    ("get", "/api/observations"): ("200", ANY | {"404"}),
    ("get", "/api/events"): ("200", ANY | {"404"}),
    ("get", "/api/indicators"): ("200", ANY),
    ("get", "/api/indicators/{indicator_id}"): ("200", ANY | {"404"}),
    ("get", "/api/revisions"): ("200", ANY),
    ("get", "/api/disputes"): ("200", ANY),
    ("get", "/api/timeline"): ("200", ANY),
    ("get", "/api/index"): ("200", ANY),
    ("get", "/api/negotiations"): ("200", ANY),
    ("get", "/api/negotiations/{issue_id}"): ("200", ANY | {"404"}),
}


class Document:
    """The OpenAPI document of a server, and validation of answers against it."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(BASE_URI, resource)

    def schema(self, method: str, path: str, status: str) -> dict[str, Any]:
        response = self.document["paths"][path][method]["responses"][status]
        return response["content"]["application/json"]["schema"]

    def problems(self, schema: dict[str, Any], answer: Any) -> list[str]:
        """How ``answer`` breaks ``schema``, a reference to a schema of the document (as every
        answer and body names its schema); empty when it fits."""
        assert list(schema) == ["$ref"] and schema["$ref"].startswith("#/"), schema
        validator = Draft202012Validator({"$ref": BASE_URI + schema["$ref"]},
                                         registry=self.registry)
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
                for e in validator.iter_errors(answer)]

    def check(self, response: httpx.Response, method: str, path: str) -> Any:
        """The answer's JSON, after checking that its status is documented for the operation
        and that it validates against that status's schema."""
        status = str(response.status_code)
        documented = self.document["paths"][path][method]["responses"]
        assert status in documented, f"{method} {path} answered {status}, not documented"
        answer = response.json()
        problems = self.problems(self.schema(method, path, status), answer)
        assert problems == [], f"{method} {path} ({status}): {problems[:5]}"
        return answer


@pytest.fixture(scope="module")
def extractor():
    """One extractor for both stores: building it is the slow part of ingesting."""
    from bilateral.extract import Extractor

    return Extractor(load_dossier("us-japan"))


@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def examples(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
             extractor) -> Iterator[str]:
    """A server over a fresh store holding the bundled examples: its base URL."""
    folder = tmp_path_factory.mktemp("examples")
    with database(request, folder) as url:
        with open_store(url) as store:
            report = ingest([EXAMPLES], store, load_dossier("us-japan"), extractor=extractor)
            assert report.documents_new == 36 and not report.failed
        with running_server(url, "--rate-limit", "0", log=folder / "server.log") as base:
            yield base


@pytest.fixture(scope="module")
def described(examples: str) -> Document:
    return Document(httpx.get(f"{examples}/api/openapi.json", timeout=30).json())


def test_the_document_is_valid_openapi_and_every_reference_resolves(described):
    validate_openapi(described.document)
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(described.document)
    resolver = described.registry.resolver(BASE_URI)
    assert len(refs) > 50
    for ref in set(refs):
        resolver.lookup(ref)  # raises on a reference to nowhere
    body = described.document["paths"]["/api/documents"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert described.problems(schema, {"documents": [{"text": "A note."}]}) == []
    assert described.problems(schema, {"documents": [{"text": ""}]}) != []


def test_every_operation_documents_its_answer_and_its_errors(described):
    document = described.document
    found = {(method, path) for path, item in document["paths"].items() for method in item}
    assert found == set(OPERATIONS)
    schemas = document["components"]["schemas"]
    assert {"HTTPValidationError", "ValidationError"}.isdisjoint(schemas)
    for (method, path), (success, failures) in OPERATIONS.items():
        responses = document["paths"][path][method]["responses"]
        assert set(responses) == {success} | failures, (method, path)
        answer = described.schema(method, path, success)["$ref"].rsplit("/", 1)[-1]
        assert schemas[answer]["type"] == "object" and schemas[answer]["properties"]
        for status in failures:
            assert described.schema(method, path, status) == {
                "$ref": "#/components/schemas/Error"}, (method, path, status)
            assert responses[status]["description"], (method, path, status)
            assert described.problems({"$ref": "#/components/schemas/Error"},
                                      responses[status]["content"]["application/json"]
                                      ["example"]) == []
    # a bad parameter is a 400; only an ingest that could use nothing is a 422
    assert [op for op in OPERATIONS
            if "422" in document["paths"][op[1]][op[0]]["responses"]] == [
        ("post", "/api/documents")]
    error = schemas["ErrorBody"]
    assert set(error["required"]) == {"status", "message"}
    assert set(error["properties"]) == {"status", "message", "details"}


def test_every_answer_schema_is_closed(described):
    """An answer holds no key its schema leaves out: every object it can hold says so."""
    schemas = described.document["components"]["schemas"]
    seen: set[str] = set()
    todo = [described.schema(m, p, s)["$ref"] for (m, p), (s, errors) in OPERATIONS.items()]
    todo.append("#/components/schemas/Error")
    while todo:
        name = todo.pop().rsplit("/", 1)[-1]
        if name in seen:
            continue
        seen.add(name)
        assert schemas[name].get("additionalProperties") is False, name
        todo.extend(_refs(schemas[name]))
    assert {"Claim", "ReportOf", "ListedObservation", "Revision", "IndexMonth",
            "NegotiationForecast", "PositionSource", "ForecastInterval"} <= seen


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_real_answers_validate_against_the_document(examples, described):
    base = examples

    def get(path: str, template: str | None = None, **params: Any) -> Any:
        response = httpx.get(f"{base}{path}", params=params, timeout=60)
        assert response.status_code == 200, (path, response.text[:300])
        return described.check(response, "get", template or path)

    assert get("/api/health")["store"] in ("sqlite", "postgresql")
    listing = get("/api/documents", limit=1000)
    assert listing["total"] == 36 == len(listing["items"])
    for item in listing["items"]:
        shown = get(f"/api/documents/{item['id']}", "/api/documents/{ref}")
        assert shown["document"]["id"] == item["id"]
    assert get("/api/search", q="tariff", include_duplicates=True)["items"]
    observations = get("/api/observations", limit=1000)["items"]
    events = get("/api/events", limit=1000)["items"]
    assert len(observations) > 50 and len(events) > 50
    # a key with no value is left out, never sent as null
    assert any("actor" not in o for o in observations)
    assert all(o.get("actor") is not None for o in observations if "actor" in o)
    assert any("sentence" in o for o in observations)
    current = get("/api/indicators", reports=1000)["items"]
    for indicator in sorted({c["indicator"] for c in current}):
        history = get(f"/api/indicators/{indicator}", "/api/indicators/{indicator_id}",
                      reports=1000)
        assert history["claims"]
    for path in ("/api/revisions", "/api/disputes", "/api/timeline"):
        assert get(path, limit=1000, reports=1000)["items"], path
    assert get("/api/index", dyads=100)["items"]
    assert get("/api/observations", "/api/observations", doc=listing["items"][0]["id"]) is not None
    issues = get("/api/negotiations")["items"]
    assert issues and any(i["outcome"] for i in issues)
    forecasts = 0
    for issue in issues:
        for params in ({"runs": 20}, {"runs": 0, "as_of": "2025-06-30"}):
            answer = httpx.get(f"{base}/api/negotiations/{issue['id']}", params=params,
                               timeout=120)
            found = described.check(answer, "get", "/api/negotiations/{issue_id}")
            if answer.status_code == 200:  # else a 400 that says why it cannot be forecast
                forecasts += 1
                assert found["issue"]["id"] == issue["id"] and found["inputs"]
                assert (found["interval"] is None) == (params["runs"] == 0)
    assert forecasts >= 2


def test_a_bad_parameter_is_a_400_in_the_error_schema(examples, described):
    response = httpx.get(f"{examples}/api/timeline", params={"limit": "0"}, timeout=30)
    assert response.status_code == 400
    error = described.check(response, "get", "/api/timeline")["error"]
    assert error["status"] == 400 and error["details"][0]["where"] == "query.limit"
    for path, template, params in [
            ("/api/documents/nothing-like-this", "/api/documents/{ref}", {}),
            ("/api/indicators/no_such_indicator", "/api/indicators/{indicator_id}", {}),
            ("/api/negotiations/no-such-issue", "/api/negotiations/{issue_id}", {}),
            ("/api/negotiations/reciprocal-tariff", "/api/negotiations/{issue_id}",
             {"runs": "5000"}),
            ("/api/events", "/api/events", {"doc": "nothing-like-this"}),
            ("/api/health", "/api/health", {"x": "\x00"}),
            ("/api/search", "/api/search", {"q": ""})]:
        answer = httpx.get(f"{examples}{path}", params=params, timeout=30)
        assert answer.status_code in (400, 404), (path, answer.status_code)
        described.check(answer, "get", template)


@pytest.fixture
def writer(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A server of its own taking writes, with a small body limit: (base URL, token)."""
    token = seed(sqlite_url)
    with running_server(sqlite_url, "--rate-limit", "0", "--max-upload-bytes", str(LIMIT),
                        log=tmp_path / "server.log") as base:
        yield base, token


def test_writes_and_their_errors_validate_against_the_document(writer):
    base, token = writer
    described = Document(httpx.get(f"{base}/api/openapi.json", timeout=30).json())
    auth = {"Authorization": f"Bearer {token}"}

    def post(expected: int, **kwargs: Any) -> Any:
        response = httpx.post(f"{base}/api/documents", timeout=120, **kwargs)
        assert response.status_code == expected, response.text[:300]
        return described.check(response, "post", "/api/documents")

    note = ("Osaka, June 3, 2025 -- Japanese and American negotiators met on Tuesday to talk "
            "about steel quotas, and agreed to meet again in July.")
    made = post(201, headers=auth, json={"documents": [{"text": note, "doc_id": "osaka-1"},
                                                       {"text": "  "}]})
    assert made["documents_new"] == 1 and made["rejections_total"] == 1
    assert post(401, json={"documents": [{"text": note}]})["error"]["status"] == 401
    bad = post(400, headers=auth, json={"documents": []})["error"]
    assert bad["details"][0]["where"] == "body.documents"
    assert post(413, headers=auth, json={"documents": [{"text": "x " * LIMIT}]})
    assert post(415, headers=auth, content=b"plain words")
    nothing = post(422, headers=auth, json={"documents": [{"text": "   "}]})["error"]
    assert nothing["details"][0]["origin"] == "request:1"


def test_a_rate_limited_answer_is_documented(sqlite_url, tmp_path):
    open_store(sqlite_url).close()
    # the same application's document, read in process: the server below has no request to
    # spare for it
    app = create_app(ServeSettings(db=sqlite_url, rate_limit=6))
    described = Document(TestClient(app).get("/api/openapi.json").json())
    with running_server(sqlite_url, "--rate-limit", "6", log=tmp_path / "server.log",
                        caught_up=False) as base:
        codes = [httpx.get(f"{base}/api/indicators", timeout=30) for _ in range(4)]
        limited = codes[-1]
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        described.check(limited, "get", "/api/indicators")
        documented = described.document["paths"]["/api/indicators"]["get"]["responses"]
        assert "Retry-After" in documented["429"]["headers"]


def test_an_answer_with_a_key_its_schema_leaves_out_is_refused(sqlite_url, monkeypatch):
    """The schema is enforced when answering: a handler that grew an undeclared key makes a
    500, not an answer that the documentation does not describe."""
    from bilateral.serve import api

    seed(sqlite_url)
    # no answers kept between requests: the handler changes while the store does not
    client = TestClient(create_app(ServeSettings(db=sqlite_url, rate_limit=0, cache_bytes=0)),
                        raise_server_exceptions=False)
    assert client.get("/api/documents").status_code == 200
    meta = api._document_meta
    monkeypatch.setattr(api, "_document_meta", lambda doc: {**meta(doc), "secret": 1})
    refused = client.get("/api/documents")
    assert refused.status_code == 500 and "secret" not in refused.text
    assert refused.json()["error"]["status"] == 500
