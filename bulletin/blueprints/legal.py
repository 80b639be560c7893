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


def _setting(name: str) -> str | None:
    value = current_app.config.get(name)
    return str(value).strip() if value else None


def _email(label: str, address: str) -> Detail:
    return Detail(label, address, "mailto:" + address)


def _phone(label: str, number: str) -> Detail:
    return Detail(label, number, "tel:" + "".join(char for char in number if char.isdigit() or char == "+"))


def operator() -> Operator:
    details = [_email(_("Email"), _setting("BULLETIN_OPERATOR_EMAIL") or "")]
    phone = _setting("BULLETIN_OPERATOR_PHONE")
    if phone:
        details.append(_phone(_("Phone"), phone))
    representative = _setting("BULLETIN_OPERATOR_REPRESENTATIVE")
    if representative:
        details.append(Detail(_("Represented by"), representative))
    register = _setting("BULLETIN_OPERATOR_REGISTER")
    if register:
        details.append(Detail(_("Register entry"), register))
    return Operator(name=_setting("BULLETIN_OPERATOR_NAME") or "",
                    address=_setting("BULLETIN_OPERATOR_ADDRESS") or "", details=details)


def _hours(duration: timedelta) -> int:
    return max(1, math.ceil(duration.total_seconds() / 3600))


def longest_rate_limit_window() -> timedelta:
    """The longest time a rate-limit counter lives, over the limits the board sets from its settings."""
    config = current_app.config
    limits = [config.get("BULLETIN_LOGIN_LIMIT", ""), config.get("BULLETIN_REPORT_LIMIT", "")]
    seconds = [item.get_expiry() for text in limits if text for item in parse_many(text)]
    return timedelta(seconds=max(seconds, default=3600))


def retention() -> Retention:
    config = current_app.config
    return Retention(
        report_days=config.get("BULLETIN_REPORT_RETENTION_DAYS", 90),
        audit_personal_days=config.get("BULLETIN_AUDIT_PERSONAL_DAYS", 180),
        session_idle_minutes=config.get("BULLETIN_SESSION_IDLE_MINUTES", 60),
        session_hours=_hours(config.get("PERMANENT_SESSION_LIFETIME", timedelta(hours=12))),
        confirm_hours=config.get("BULLETIN_SIGNUP_CONFIRM_HOURS", 48),
        rate_limit_hours=_hours(longest_rate_limit_window()),
    )


def privacy_notice() -> PrivacyNotice:
    dpo = []
    if _setting("BULLETIN_DPO_NAME"):
        dpo.append(Detail(_("Name"), _setting("BULLETIN_DPO_NAME")))
    if _setting("BULLETIN_DPO_EMAIL"):
        dpo.append(_email(_("Email"), _setting("BULLETIN_DPO_EMAIL")))
    return PrivacyNotice(operator=operator(), dpo=dpo,
                         supervisory_authority=_setting("BULLETIN_SUPERVISORY_AUTHORITY"),
                         retention=retention(), accessibility_url=url_for(".accessibility"))


def accessibility_statement() -> AccessibilityStatement:
    assessed = _setting("BULLETIN_ACCESSIBILITY_ASSESSED")
    contact_value = _setting("BULLETIN_ACCESSIBILITY_CONTACT") or _setting("BULLETIN_OPERATOR_EMAIL") or ""
    if "@" in contact_value:
        contact = _email(_("Email"), contact_value)
    else:  # a phone number, a postal address or a web form's address
        contact = Detail(_("Contact"), contact_value)
    return AccessibilityStatement(
        operator=operator(),
        partial=current_app.config.get("BULLETIN_ACCESSIBILITY_STATUS", "partial") != "full",
        third_party=current_app.config.get("BULLETIN_ACCESSIBILITY_METHOD", "self") == "third-party",
        assessed=format_date(date.fromisoformat(assessed), format="long") if assessed else None,
        contact=[contact],
        enforcement=_setting("BULLETIN_ACCESSIBILITY_ENFORCEMENT"),
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
