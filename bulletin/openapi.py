"""The JSON API's contract as data: its query parameters, the shape of its answers, the OpenAPI document.

The blueprint checks every query against the same parameter declarations that the document publishes,
so what the document promises and what the API does cannot drift apart. The descriptions are for the
developers who build on the open data and stay in English; the error messages the API sends are translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from bulletin.blueprints.url_rules import MAX_ID
from bulletin.services import text_rules
from bulletin.taxonomy import CATEGORY_SLUGS, LANGUAGE_CODES, ORGANISATION_TYPES, POSTING_TYPES

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
API_PREFIX = "/api/v1"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
KEY_MAX_LENGTH = 100
CACHE_SECONDS = 60
DEFAULT_MATCHES = 10
MAX_MATCHES = 50
MATCH_REASON_KINDS = ("concept", "words", "category", "district", "language")


class InvalidParameter(ValueError):
    """A query parameter the API cannot accept; ``field`` names it, ``message`` is translated."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class QueryParameter:
    """One optional query parameter: a bounded string, a string from a fixed list, or a bounded integer."""

    name: str
    description: str
    max_length: int = 100
    choices: tuple[str, ...] = ()
    minimum: int | None = None  # set for integers, with maximum and default
    maximum: int | None = None
    default: int | None = None

    @property
    def is_integer(self) -> bool:
        return self.minimum is not None

    def parse(self, raw: str | None) -> str | int | None:
        """The value of ``raw`` (None when absent or empty), or InvalidParameter saying what is wrong."""
        if raw is None or raw == "":
            return self.default
        if len(raw) > self.max_length:
            raise InvalidParameter(self.name, _("At most %(max)d characters.", max=self.max_length))
        problem = text_rules.problem(raw)  # every parameter is one line of text
        if problem is not None:
            raise InvalidParameter(self.name, str(problem))
        if self.is_integer:
            # ASCII digits only: int() would also take "+1", " 1" and digits of other scripts.
            if not (raw.isascii() and raw.isdigit()) or not self.minimum <= int(raw) <= self.maximum:
                raise InvalidParameter(
                    self.name,
                    _("A whole number from %(min)d to %(max)d.", min=self.minimum, max=self.maximum),
                )
            return int(raw)
        if self.choices and raw not in self.choices:
            raise InvalidParameter(
                self.name, _("Unknown value. Allowed: %(choices)s.", choices=", ".join(self.choices))
            )
        return raw

    def schema(self) -> dict:
        if self.is_integer:
            return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum,
                    "default": self.default}
        if self.choices:
            return {"type": "string", "enum": list(self.choices)}
        return {"type": "string", "maxLength": self.max_length}

    def openapi(self) -> dict:
        return {"name": self.name, "in": "query", "required": False, "description": self.description,
                "schema": self.schema()}


PAGE = QueryParameter("page", "The page to show, from 1. A page past the last one has no items.",
                      max_length=10, minimum=1, maximum=MAX_PAGE, default=1)
PER_PAGE = QueryParameter("per_page", "How many items a page holds.",
                          max_length=10, minimum=1, maximum=MAX_PER_PAGE, default=DEFAULT_PER_PAGE)

POSTING_PARAMETERS: tuple[QueryParameter, ...] = (
    QueryParameter("q", "Keywords in any language, answered by the board's search engine: the postings that "
                        "match any of the words best come first (word forms, compound parts, typing "
                        "mistakes and the same meaning in other languages count; at most 12 words count).",
                   max_length=200),
    QueryParameter("type", "Offers or requests only.", choices=tuple(POSTING_TYPES)),
    QueryParameter("category", "Only postings in this category.", choices=CATEGORY_SLUGS),
    QueryParameter("district", "Only postings in this district (exact name).", max_length=100),
    QueryParameter("lang", "Only postings readable in this language, that is with a title in it. If it is "
                           "a language of the board's interface, the links point to pages in it.",
                   choices=LANGUAGE_CODES),
    QueryParameter("organisation", "Only postings of the organisation with this key.",
                   max_length=KEY_MAX_LENGTH),
    QueryParameter("key", "Only the posting with this key.", max_length=KEY_MAX_LENGTH),
    PAGE,
    PER_PAGE,
)
ORGANISATION_PARAMETERS: tuple[QueryParameter, ...] = (
    QueryParameter("type", "Only organisations of this type.", choices=tuple(ORGANISATION_TYPES)),
    PAGE,
    PER_PAGE,
)
MATCH_PARAMETERS: tuple[QueryParameter, ...] = (
    QueryParameter("limit", "How many matches at most.", max_length=10, minimum=1, maximum=MAX_MATCHES,
                   default=DEFAULT_MATCHES),
)
NO_PARAMETERS: tuple[QueryParameter, ...] = ()


def parse_query(parameters: tuple[QueryParameter, ...], args) -> dict[str, str | int | None]:
    """Check a query (a MultiDict) against ``parameters``: each known one at most once, nothing else."""
    allowed = {parameter.name: parameter for parameter in parameters}
    for name in args:
        if name not in allowed:
            message = (_("Unknown parameter. Allowed: %(names)s.", names=", ".join(allowed)) if allowed
                       else _("This address takes no parameters."))
            raise InvalidParameter(name[:KEY_MAX_LENGTH], message)
    values = {}
    for parameter in parameters:
        raw_values = args.getlist(parameter.name)
        if len(raw_values) > 1:
            raise InvalidParameter(parameter.name, _("Give this parameter only once."))
        values[parameter.name] = parameter.parse(raw_values[0] if raw_values else None)
    return values


# The shapes of the answers, as JSON Schema (the dialect of OpenAPI 3.1).

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable_string(description: str, **extra) -> dict:
    return {"type": ["string", "null"], "description": description, **extra}


def _object(properties: dict, description: str) -> dict:
    return {"type": "object", "description": description, "required": list(properties),
            "additionalProperties": False, "properties": properties}


def _page_of(item: str, description: str) -> dict:
    return _object({
        "items": {"type": "array", "items": _ref(item)},
        "total": {"type": "integer", "minimum": 0, "description": "How many items match, on all pages."},
        "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
    }, description)


SCHEMAS: dict[str, dict] = {
    "LocalisedText": {
        "type": "object",
        "description": "A text by language code; only the languages it exists in.",
        "propertyNames": {"enum": list(LANGUAGE_CODES)},
        "additionalProperties": {"type": "string"},
    },
    "OrganisationRef": _object({
        "key": {"type": "string"},
        "name": {"type": "string"},
    }, "The organisation behind a posting."),
    "Posting": _object({
        "id": {"type": "integer", "minimum": 1},
        "key": {"type": "string", "description": "A stable key, also used by the bulk import."},
        "type": {"type": "string", "enum": list(POSTING_TYPES)},
        "category": {"type": "string", "enum": list(CATEGORY_SLUGS)},
        "district": _nullable_string("The district it is in, if it names one."),
        "organisation": _ref("OrganisationRef"),
        "title": _ref("LocalisedText"),
        "body": _ref("LocalisedText"),
        "original_language": {"type": "string", "enum": list(LANGUAGE_CODES),
                              "description": "The language it was written in; the others are translations."},
        "valid_until": _nullable_string("The last day it is shown (ISO 8601), or null for no end.",
                                        format="date"),
        "url": {"type": "string", "format": "uri", "description": "The posting's page on the board."},
    }, "An open offer or request."),
    "PostingPage": _page_of("Posting", "One page of postings: newest first, or best first when searching."),
    "MatchReason": _object({
        "kind": {"type": "string", "enum": list(MATCH_REASON_KINDS),
                 "description": "concept: both name it (an id of the board's concept lexicon); words: they "
                                "share this word (when no concept is shared); category, district: the "
                                "same one; language: the match can be read in the posting's language."},
        "value": {"type": "string", "description": "The concept id, word, category, district or language."},
    }, "Why a posting matches."),
    "Match": _object({
        "id": {"type": "integer", "minimum": 1},
        "key": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1,
                  "description": "How well it fits, from 0 to 1; matches below the board's threshold are "
                                 "not listed."},
        "reasons": {"type": "array", "items": _ref("MatchReason")},
    }, "A listed posting of the other type (an offer for a request, a request for an offer) that fits."),
    "MatchList": _object({
        "posting": {"type": "integer", "minimum": 1, "description": "The posting the matches are for."},
        "matches": {"type": "array", "items": _ref("Match"), "description": "Best first; may be empty."},
    }, "The matches of one posting."),
    "Organisation": _object({
        "key": {"type": "string"},
        "name": {"type": "string"},
        "type": {"type": "string", "enum": list(ORGANISATION_TYPES)},
        "description": _ref("LocalisedText"),
        "email": _nullable_string("Contact email address.", format="email"),
        "phone": _nullable_string("Contact phone number."),
        "website": _nullable_string("Web address.", format="uri"),
        "address": _nullable_string("Postal address."),
        "district": _nullable_string("The district it is in."),
        "languages": {"type": "array", "items": {"type": "string", "enum": list(LANGUAGE_CODES)},
                      "description": "Languages spoken there."},
        "verified": {"type": "boolean", "description": "Whether the coordinator has checked who they are."},
        "url": {"type": "string", "format": "uri", "description": "The organisation's page on the board."},
        "open_postings": {"type": "integer", "minimum": 0,
                          "description": "How many of its postings are open and unexpired."},
    }, "An approved organisation."),
    "OrganisationPage": _page_of("Organisation", "One page of organisations, by name."),
    "Error": _object({
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "integer", "description": "The HTTP status code."},
                "message": {"type": "string", "description": "What went wrong, in the language the "
                                                             "request's Accept-Language header prefers."},
                "field": {"type": "string", "description": "The query parameter that was refused."},
            },
        },
    }, "An error."),
}

HEADERS = {
    "Access-Control-Allow-Origin": {"description": "Always *: the data is open.",
                                    "schema": {"type": "string", "const": "*"}},
    "Cache-Control": {"description": f"Public, for {CACHE_SECONDS} seconds (server errors: no-store).",
                      "schema": {"type": "string"}},
}

ERROR_RESPONSES = {
    "400": ("BadRequest", "A query parameter is unknown, repeated or has a value the API cannot accept; "
                          "`field` names it."),
    "404": ("NotFound", "There is nothing public at this address."),
    "410": ("Gone", "The posting was public but is closed or has expired."),
    "default": ("Error", "Any other error (for example 405 for a method other than GET, 500)."),
}


def _json_response(description: str, schema: dict) -> dict:
    return {
        "description": description,
        "headers": {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS},
        "content": {"application/json": {"schema": schema}},
    }


def _responses(success: dict, *errors: str) -> dict:
    responses = {"200": success}
    for status in (*errors, "default"):
        responses[status] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
    return responses


def _operation(operation_id: str, summary: str, parameters: list[dict], responses: dict) -> dict:
    return {"operationId": operation_id, "summary": summary, "parameters": parameters, "responses": responses}


POSTING_ID = {"name": "posting_id", "in": "path", "required": True, "description": "The posting's id.",
              "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}
ORGANISATION_KEY = {"name": "key", "in": "path", "required": True, "description": "The organisation's key.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH}}


def _paths() -> dict:
    def query(parameters):
        return [parameter.openapi() for parameter in parameters]

    return {
        "/postings": {"get": _operation(
            "listPostings", "Open postings, newest first, filtered and in pages.", query(POSTING_PARAMETERS),
            _responses(_json_response("One page of postings.", _ref("PostingPage")), "400"),
        )},
        "/postings/{posting_id}": {"get": _operation(
            "getPosting", "One open posting.", [POSTING_ID],
            _responses(_json_response("The posting.", _ref("Posting")), "400", "404", "410"),
        )},
        "/postings/{posting_id}/matches": {"get": _operation(
            "getPostingMatches", "The open postings of the other type that fit one open posting, best first.",
            [POSTING_ID, *query(MATCH_PARAMETERS)],
            _responses(_json_response("The matches.", _ref("MatchList")), "400", "404", "410"),
        )},
        "/organisations": {"get": _operation(
            "listOrganisations", "Approved organisations, by name, in pages.", query(ORGANISATION_PARAMETERS),
            _responses(_json_response("One page of organisations.", _ref("OrganisationPage")), "400"),
        )},
        "/organisations/{key}": {"get": _operation(
            "getOrganisation", "One approved organisation.", [ORGANISATION_KEY],
            _responses(_json_response("The organisation.", _ref("Organisation")), "400", "404"),
        )},
        "/openapi.json": {"get": _operation(
            "getOpenApi", "This document.", [],
            _responses(_json_response("The OpenAPI document.", {"type": "object"}), "400"),
        )},
    }


def document(site_name: str) -> dict:
    """The OpenAPI document of the API, for a board called ``site_name``."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{site_name}: open data API",
            "version": API_VERSION,
            "description": (
                "Read-only access to the board's open offers and requests and to the organisations that "
                "publish them. No account or key is needed. Only open, unexpired postings of approved "
                "organisations appear. Every answer is JSON; errors have the Error shape."
            ),
        },
        "servers": [{"url": API_PREFIX}],
        "paths": _paths(),
        "components": {
            "schemas": SCHEMAS,
            "headers": HEADERS,
            "responses": {
                name: _json_response(description, _ref("Error"))
                for name, description in ERROR_RESPONSES.values()
            },
        },
    }
