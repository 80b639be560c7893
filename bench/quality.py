"""Search and matching quality on an evaluation set (default: ../shared/data/dev/).

    .venv/bin/python bench/quality.py [--data DIR] [--concepts FILE] [--json] [--details]
                                      [--set FIELD=VALUE ...] [--sweep FIELD=V1,V2,... ...]

Imports the set's corpus.jsonl into a temporary board (SQLite, its own index), then measures:

- matching, for every request in qrels.json: MRR of the first relevant offer, recall@5, must-not
  violations (a listed must-not offer anywhere in the list), and for the requests without any relevant
  offer whether the list is empty (and its average length); MRR per language of the requests;
- search, for every query in search.json (in its UI language): nDCG@10 with linear gains, the
  zero-result rate over the queries that have relevant postings, the result count of those that have
  none, and must-not violations.

Prints a table; ``--json`` prints the figures as JSON instead, ``--details`` each request and query.

The ranking is bulletin/search/ranking.py's ``RANKING``; ``--set field=value`` (repeatable) changes one of
its fields. ``--sweep field=v1,v2,v3`` measures each value in turn (the rest as set) and prints the main
figures per value, the current one marked; several ``--sweep`` run one after another. Each measurement
builds its board anew, so the index-time fields count too.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from sqlmodel import SQLModel, select  # noqa: E402

from bulletin import create_app, importer  # noqa: E402
from bulletin.db import get_engine, get_session  # noqa: E402
from bulletin.models import Posting  # noqa: E402
from bulletin.search import get_search, sync  # noqa: E402
from bulletin.search.match import matches_for  # noqa: E402
from bulletin.search.query import search_postings  # noqa: E402
from bulletin.search.ranking import RANKING, Ranking  # noqa: E402

DEFAULT_DATA = os.path.join(os.path.dirname(ROOT), "shared", "data", "dev")
MATCH_LIST_LENGTH = 10
LANGUAGES = ("de", "en", "ar", "fa", "uk", "ru", "tr", "fr")


def board(directory: str, concepts: str | None):
    config = {
        "TESTING": True, "BULLETIN_ENV": "test", "SECRET_KEY": "bench", "INSTANCE_PATH": directory,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/board.sqlite",
        "BULLETIN_INDEX_DIR": f"{directory}/index", "MAIL_BACKEND": "memory", "SERVER_NAME": "board.test",
    }
    if concepts:
        config["BULLETIN_CONCEPTS_FILE"] = concepts
    return create_app(config)


def load_corpus(path: str) -> None:
    session = get_session()
    with open(path, encoding="utf-8") as handle:
        result = importer.import_text(session, handle.read())
    if result.refused:
        problems = "; ".join(str(error.describe()) for error in result.errors[:5])
        raise SystemExit("the corpus does not import: " + problems)
    session.commit()
    # One rebuild, so every posting is analysed with the whole board's vocabulary.
    sync.rebuild(get_search(), get_engine(), wait=60)


def dcg(gains: list[float]) -> float:
    return sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))


def evaluate_matching(qrels: dict, details: list[str]) -> dict:
    session, search = get_session(), get_search()
    reciprocal, recall, by_language = [], [], defaultdict(list)
    violations, empty, lengths, no_match = 0, 0, [], 0
    for request_key, truth in sorted(qrels.items()):
        request = session.exec(select(Posting).where(Posting.key == request_key)).one()
        found = [match.key for match in matches_for(search, request, limit=MATCH_LIST_LENGTH)]
        relevant = {key for key, grade in truth["relevant"].items() if grade >= 1}
        if set(found) & set(truth.get("must_not", [])):
            violations += 1
        if not relevant:
            no_match += 1
            empty += not found
            lengths.append(len(found))
            details.append(f"  {request_key:32} no match expected   got {found}")
            continue
        rank = next((index for index, key in enumerate(found, start=1) if key in relevant), None)
        rr = 1 / rank if rank else 0.0
        reciprocal.append(rr)
        by_language[request.original_language].append(rr)
        recall.append(len(relevant & set(found[:5])) / len(relevant))
        details.append(f"  {request_key:32} rr={rr:.2f} recall5={recall[-1]:.2f} got {found[:6]} "
                       f"want {sorted(relevant)}")
    return {
        "requests": len(qrels),
        "mrr": sum(reciprocal) / len(reciprocal),
        "recall_at_5": sum(recall) / len(recall),
        "must_not_violations": violations,
        "no_match_requests": no_match,
        "no_match_empty": empty,
        "no_match_average_length": sum(lengths) / len(lengths) if lengths else 0.0,
        "mrr_by_language": {code: sum(values) / len(values) for code, values in sorted(by_language.items())},
        "requests_by_language": {code: len(values) for code, values in sorted(by_language.items())},
    }


def evaluate_search(queries: list[dict], details: list[str]) -> dict:
    session, search = get_session(), get_search()
    keys = dict(session.exec(select(Posting.id, Posting.key)).all())
    ndcgs, zero, violations, none_counts = [], 0, 0, []
    for item in queries:
        result = search_postings(search, item["query"], page=1, per_page=10, reader_language=item["lang"],
                                 with_facets=False)
        everything = search_postings(search, item["query"], page=1, per_page=1000,
                                     reader_language=item["lang"], with_facets=False)
        found = [keys[hit.posting_id] for hit in result.hits]
        if set(keys[hit.posting_id] for hit in everything.hits) & set(item.get("must_not", [])):
            violations += 1
        relevant = item["relevant"]
        if not relevant:
            none_counts.append(result.total)
            details.append(f"  {item['query']:28} no result expected   got {result.total}: {found[:5]}")
            continue
        ideal = dcg(sorted(relevant.values(), reverse=True)[:10])
        value = dcg([relevant.get(key, 0) for key in found[:10]]) / ideal
        ndcgs.append(value)
        zero += result.total == 0
        details.append(f"  {item['query']:28} ndcg={value:.2f} total={result.total} got {found[:6]}")
    with_relevant = len(ndcgs)
    return {
        "queries": len(queries),
        "ndcg_at_10": sum(ndcgs) / with_relevant,
        "zero_result_rate": zero / with_relevant,
        "queries_without_relevant": len(none_counts),
        "results_for_queries_without_relevant": none_counts,
        "must_not_violations": violations,
    }


def table(matching: dict, searching: dict) -> str:
    german = matching["mrr_by_language"].get("de", 0.0)
    rows = [
        ("Matching MRR", f"{matching['mrr']:.3f}", ">= 0.85"),
        ("Matching recall@5", f"{matching['recall_at_5']:.3f}", ">= 0.90"),
        ("Matching must-not violations", f"{matching['must_not_violations']} of {matching['requests']}", "0"),
        ("No-match requests answered empty",
         f"{matching['no_match_empty']} of {matching['no_match_requests']} "
         f"(average length {matching['no_match_average_length']:.1f})", ">= 4 of 5"),
    ]
    for code in LANGUAGES:
        if code in matching["mrr_by_language"]:
            value = matching["mrr_by_language"][code]
            count = matching["requests_by_language"][code]
            target = "reference" if code == "de" else f">= {german - 0.10:.3f} (de - 0.10)"
            rows.append((f"Matching MRR, requests in {code} ({count})", f"{value:.3f}", target))
    rows += [
        ("Search nDCG@10", f"{searching['ndcg_at_10']:.3f}", ">= 0.80"),
        ("Search zero-result rate", f"{searching['zero_result_rate']:.1%}", "<= 5%"),
        ("Search must-not violations", f"{searching['must_not_violations']} of {searching['queries']}", "0"),
        ("Results for queries with nothing relevant",
         ", ".join(str(count) for count in searching["results_for_queries_without_relevant"]), "ideally 0"),
    ]
    width = max(len(row[0]) for row in rows)
    lines = [f"| {'Measure':{width}} | Value | Target |", f"| {'-' * width} | --- | --- |"]
    lines += [f"| {name:{width}} | {value} | {target} |" for name, value, target in rows]
    return "\n".join(lines)


def measure(data: str, concepts: str | None, ranking: Ranking, qrels: dict,
            queries: list[dict]) -> tuple[dict, dict, list[str]]:
    """Matching and search figures, and the details, on a board of its own built with ``ranking``."""
    with tempfile.TemporaryDirectory() as directory:
        app = board(directory, concepts)
        with app.app_context():
            get_search().use_ranking(ranking)  # before anything is indexed
            SQLModel.metadata.create_all(get_engine())
            load_corpus(os.path.join(data, "corpus.jsonl"))
            details: list[str] = []
            matching = evaluate_matching(qrels, details)
            details.append("")
            searching = evaluate_search(queries, details)
            get_search().store.close()
    return matching, searching, details


def assignments(texts: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for text in texts:
        name, equals, value = text.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise SystemExit(f"{option} wants FIELD=VALUE, not {text!r}")
        pairs.append((name.strip(), value.strip()))
    return pairs


def ranking_with(base: Ranking, values: dict[str, str]) -> Ranking:
    try:
        return base.with_values(values)
    except ValueError as error:
        raise SystemExit(str(error)) from None


SWEEP_COLUMNS = ("MRR", "recall@5", "must-not", "no-match empty", "nDCG@10", "zero results",
                 "must-not (search)")


def sweep_table(name: str, current: object, rows: list[tuple[str, dict, dict]]) -> str:
    """One line per value of ``name``: the main matching and search figures."""
    lines = [f"Sweep of {name} (* the value otherwise used):", "",
             "| " + " | ".join((name, *SWEEP_COLUMNS)) + " |", "|" + " --- |" * (len(SWEEP_COLUMNS) + 1)]
    for value, matching, searching in rows:
        mark = " *" if type(current)(value) == current else ""
        figures = (f"{matching['mrr']:.3f}", f"{matching['recall_at_5']:.3f}",
                   str(matching["must_not_violations"]),
                   f"{matching['no_match_empty']} of {matching['no_match_requests']}",
                   f"{searching['ndcg_at_10']:.3f}", f"{searching['zero_result_rate']:.1%}",
                   str(searching["must_not_violations"]))
        lines.append("| " + " | ".join((value + mark, *figures)) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=DEFAULT_DATA,
                        help="folder with corpus.jsonl, qrels.json, search.json")
    parser.add_argument("--concepts", help="a concept lexicon other than the board's own")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--details", action="store_true", help="print every request and query")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="a field of bulletin/search/ranking.py's Ranking, changed (repeatable)")
    parser.add_argument("--sweep", action="append", default=[], metavar="FIELD=V1,V2,...",
                        help="measure each value of a Ranking field in turn (repeatable)")
    args = parser.parse_args()
    base = ranking_with(RANKING, dict(assignments(args.set, "--set")))
    sweeps = [(name, [value.strip() for value in values.split(",") if value.strip()])
              for name, values in assignments(args.sweep, "--sweep")]
    for name, values in sweeps:  # every value checked before the first board is built
        for value in values:
            ranking_with(base, {name: value})
    with open(os.path.join(args.data, "qrels.json"), encoding="utf-8") as handle:
        qrels = json.load(handle)
    with open(os.path.join(args.data, "search.json"), encoding="utf-8") as handle:
        queries = json.load(handle)
    if sweeps:
        report = []
        for name, values in sweeps:
            rows = [(value, *measure(args.data, args.concepts, ranking_with(base, {name: value}), qrels,
                                     queries)[:2]) for value in values]
            report.append((name, getattr(base, name), rows))
        if args.json:
            print(json.dumps([{"field": name, "values": [{"value": value, "matching": matching,
                                                           "search": searching}
                                                          for value, matching, searching in rows]}
                              for name, _current, rows in report], indent=2))
            return
        print("\n\n".join(sweep_table(name, current, rows) for name, current, rows in report))
        return
    matching, searching, details = measure(args.data, args.concepts, base, qrels, queries)
    if args.json:
        print(json.dumps({"matching": matching, "search": searching}, indent=2))
        return
    if args.details:
        print("\n".join(details))
    if base != RANKING:
        print("Ranking: " + ", ".join(f"{name}={value}" for name, value in assignments(args.set, "--set")))
    print(table(matching, searching))


if __name__ == "__main__":
    main()
