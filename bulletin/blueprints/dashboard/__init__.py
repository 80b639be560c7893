"""An organisation's own pages: its postings, its profile and its members.

A posting outside the user's reach (another organisation's, for a member) answers 404: the user need not
learn that it exists. One in reach that the user may not change now (a pending or suspended organisation)
answers 403.

The pages live in their own modules, which do not import this one; every address of the dashboard is
listed here, where the blueprint is made.
"""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user

from bulletin.blueprints.dashboard import home, members, postings, profile
from bulletin.blueprints.url_rules import MAX_ID

bp = Blueprint("dashboard", __name__, url_prefix="/<lang>/dashboard")


@bp.before_request
def require_sign_in():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


POSTING = f"/postings/<int(max={MAX_ID}):posting_id>"
READ, CHANGE, FORM = ["GET"], ["POST"], ["GET", "POST"]

bp.add_url_rule("/", view_func=home.index, methods=READ)
bp.add_url_rule("/match-digest", view_func=home.match_digest, methods=CHANGE)
bp.add_url_rule("/profile", view_func=profile.profile, methods=FORM)
bp.add_url_rule("/postings/new", view_func=postings.new_posting, methods=FORM)
bp.add_url_rule(f"{POSTING}/edit", view_func=postings.edit_posting, methods=FORM)
bp.add_url_rule(f"{POSTING}/renew", view_func=postings.renew_posting, methods=CHANGE)
bp.add_url_rule(f"{POSTING}/close", view_func=postings.close_posting, methods=CHANGE)
bp.add_url_rule(f"{POSTING}/reopen", view_func=postings.reopen_posting, methods=CHANGE)
bp.add_url_rule(f"{POSTING}/translations/<language>", view_func=postings.translation, methods=FORM)
bp.add_url_rule("/members", view_func=members.members, methods=FORM)
