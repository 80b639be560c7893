"""The daily match digest's mail: new offers matching an organisation's open requests, with their links.

Composed in the current language; the daily run composes inside ``in_board_language()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import ngettext

from bulletin import i18n, settings
from bulletin.links import external_url
from bulletin.models import Organisation
from bulletin.notifications.delivery import Mail

if TYPE_CHECKING:
    from bulletin.services.digest import DigestLine


def digest_body(organisation: Organisation, lines: list[DigestLine]) -> str:
    language = i18n.current_language()
    parts = [_("Hello,"), "",
             _("new offers on %(site)s match the requests of %(organisation)s:",
               site=settings.current().site_name, organisation=organisation.name), ""]
    for line in lines:
        shown = line.request.text(language)
        parts.append(_("Your request: %(title)s", title=shown.title if shown else line.request.key))
        for offer in line.offers:
            offer_text = offer.text(language)
            url = external_url("public.posting", lang=language, posting_id=offer.id)
            parts.append(f"  - {offer_text.title if offer_text else offer.key} ({offer.organisation.name})")
            parts.append(f"    {url}")
        parts.append("")
    parts.append(_("You get this mail because your organisation asked for it. To stop it, untick "
                   "“Daily mail of matching offers” on your dashboard: %(url)s",
                   url=external_url("dashboard.index", lang=language)))
    return "\n".join(parts) + "\n"


def digest_mail(organisation: Organisation, lines: list[DigestLine]) -> Mail:
    """The mail telling ``organisation`` of the offers in ``lines``."""
    count = sum(len(line.offers) for line in lines)
    subject = ngettext("%(num)d new offer matches your requests on %(site)s",
                       "%(num)d new offers match your requests on %(site)s", count,
                       site=settings.current().site_name)
    return Mail(subject, digest_body(organisation, lines))
