"""The legal pages a public board needs in Germany: privacy notice (GDPR Art. 13), imprint (§ 5 DDG) and
accessibility statement (BITV 2.0, directive (EU) 2016/2102).

The text is the board's, translated like every page; the operator's details come from the configuration
(``BULLETIN_OPERATOR_*``, ``BULLETIN_DPO_*``, ``BULLETIN_SUPERVISORY_AUTHORITY``,
``BULLETIN_ACCESSIBILITY_*``). The retention periods the privacy notice names are read from the same
settings the purge uses, so the page says what the board does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from limits import parse_many

from bulletin import settings

bp = Blueprint("legal", __name__, url_prefix="/<lang>")


@dataclass(frozen=True)
class Detail:
    """One line of contact details: a label, the value, and a link for mail or phone."""

    label: str
    value: str
    href: str | None = None


@dataclass(frozen=True)
class Operator:
    name: str
    address: str
    details: list[Detail]  # e-mail, phone, the person responsible, the register entry (those set)


@dataclass(frozen=True)
class Retention:
    """How long the board keeps what, in the units the privacy notice names."""

    report_days: int
    audit_personal_days: int
    session_idle_minutes: int
    session_hours: int
    confirm_hours: int
    rate_limit_hours: int


@dataclass(frozen=True)
class PrivacyNotice:
    operator: Operator
    dpo: list[Detail]  # empty when no data protection officer is configured
    supervisory_authority: str | None
    retention: Retention
    accessibility_url: str


@dataclass(frozen=True)
class AccessibilityStatement:
    operator: Operator
    partial: bool  # "partial": the known limitations are listed
    third_party: bool  # assessed by an outside body, not by the operator itself
    assessed: str | None  # the date of the assessment, in the reader's language
    contact: list[Detail]
    enforcement: str | None


def _email(label: str, address: str) -> Detail:
    return Detail(label, address, "mailto:" + address)


def _phone(label: str, number: str) -> Detail:
    return Detail(label, number, "tel:" + "".join(char for char in number if char.isdigit() or char == "+"))


def operator() -> Operator:
    board = settings.current()
    details = [_email(_("Email"), board.operator_email or "")]
    phone = board.operator_phone
    if phone:
        details.append(_phone(_("Phone"), phone))
    representative = board.operator_representative
    if representative:
        details.append(Detail(_("Represented by"), representative))
    register = board.operator_register
    if register:
        details.append(Detail(_("Register entry"), register))
    return Operator(name=board.operator_name or "",
                    address=board.operator_address or "", details=details)


def _hours(duration: timedelta) -> int:
    return max(1, math.ceil(duration.total_seconds() / 3600))


def longest_rate_limit_window() -> timedelta:
    """The longest time a rate-limit counter lives, over the limits the board sets from its settings."""
    board = settings.current()
    seconds = [item.get_expiry() for text in (board.login_limit, board.report_limit)
               for item in parse_many(text)]
    return timedelta(seconds=max(seconds, default=3600))


def retention() -> Retention:
    board = settings.current()
    return Retention(
        report_days=board.report_retention_days,
        audit_personal_days=board.audit_personal_days,
        session_idle_minutes=board.session_idle_minutes,
        session_hours=_hours(current_app.config["PERMANENT_SESSION_LIFETIME"]),
        confirm_hours=board.signup_confirm_hours,
        rate_limit_hours=_hours(longest_rate_limit_window()),
    )


def privacy_notice() -> PrivacyNotice:
    board = settings.current()
    dpo = []
    if board.dpo_name:
        dpo.append(Detail(_("Name"), board.dpo_name))
    if board.dpo_email:
        dpo.append(_email(_("Email"), board.dpo_email))
    return PrivacyNotice(operator=operator(), dpo=dpo,
                         supervisory_authority=board.supervisory_authority,
                         retention=retention(), accessibility_url=url_for(".accessibility"))


def accessibility_statement() -> AccessibilityStatement:
    board = settings.current()
    assessed = board.accessibility_assessed
    contact_value = board.accessibility_contact or board.operator_email or ""
    if "@" in contact_value:
        contact = _email(_("Email"), contact_value)
    else:  # a phone number, a postal address or a web form's address
        contact = Detail(_("Contact"), contact_value)
    return AccessibilityStatement(
        operator=operator(),
        partial=settings.current().accessibility_status != "full",
        third_party=settings.current().accessibility_method == "third-party",
        assessed=format_date(date.fromisoformat(assessed), format="long") if assessed else None,
        contact=[contact],
        enforcement=board.accessibility_enforcement,
    )


@bp.get("/privacy")
def privacy():
    return render_template("legal/privacy.html", notice=privacy_notice())


@bp.get("/imprint")
def imprint():
    return render_template("legal/imprint.html", operator=operator())


@bp.get("/accessibility")
def accessibility():
    return render_template("legal/accessibility.html", statement=accessibility_statement())
