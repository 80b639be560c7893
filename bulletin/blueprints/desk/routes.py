"""The desk's blueprint with every page attached: register this module's ``bp``, not the package's alone.

Importing the page modules is what adds their routes to the blueprint, so this module names them all.
"""

from bulletin.blueprints.desk import (
    accounts,
    audit,
    bp,
    organisations,
    postings,
    reports,
    signups,
    statistics,
)

PAGES = (signups, organisations, postings, reports, statistics, audit, accounts)

__all__ = ["PAGES", "bp"]
