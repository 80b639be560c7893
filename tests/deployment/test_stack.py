"""The board in its production shape (conftest.py): nginx with TLS, gunicorn with 4 workers and the
shipped configuration, PostgreSQL, Redis, SMTP, and a real Chromium, all through HTTPS."""

from __future__ import annotations

import http.client
import re
import secrets
import ssl
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import COORDINATOR, CSRF_FIELD, HOST, WORKERS, _LoopbackTLS, links

MEMBER = "ines@nachbarn-sonnenhang.example.org"
MEMBER_PASSWORD = "sonnenhang-hilft-2026"
LOGIN_LIMIT = 10  # BULLETIN_LOGIN_LIMIT's default: 10 per minute
SECRET_WORD = "secretword"


def no_answer(stack, host: str, server_name: str = HOST) -> bool:
    """True when nginx closes the connection (return 444) or refuses the TLS handshake."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # an unknown name has no certificate
    connection = _LoopbackTLS(server_name, stack.https_port, timeout=10, context=context)
    try:
        connection.request("GET", "/de/account/forgot-password", headers={"Host": host})
        connection.getresponse().read()
    except (http.client.RemoteDisconnected, ssl.SSLError, ConnectionResetError):
        return True
    finally:
        connection.close()
    return False


def test_https_headers_and_unknown_hosts(stack):
    home = stack.visitor().get("/de/")
    assert home.status == 200
    # Sent by the board for a request that came over HTTPS, and by nobody else: once.
    assert home.headers.get_all("Strict-Transport-Security") is not None, "no HSTS header over HTTPS"
    assert len(home.headers.get_all("Strict-Transport-Security")) == 1
    # Flask-WTF checks a form's Referer on HTTPS; "no-referrer" would make every form fail.
    assert home.headers.get("Referrer-Policy") == "same-origin"

    # Plain HTTP goes to HTTPS; other names get no answer at all, whether named in TLS or only in Host.
    plain = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    try:
        plain.request("GET", "/de/?q=x", headers={"Host": HOST})
        redirect = plain.getresponse()
        redirect.read()
    finally:
        plain.close()
    assert redirect.status == 301
    assert redirect.headers["Location"].startswith(f"https://{HOST}/de/")
    assert not no_answer(stack, host=f"{HOST}:{stack.https_port}")  # the check itself can see an answer
    assert no_answer(stack, host="evil.example")
    assert no_answer(stack, host="evil.example", server_name="evil.example")


@pytest.mark.browser
def test_sign_up_confirm_approve_post_and_report(stack, stack_browser):
    """An organisation signs up and confirms by mail, the coordinator approves it on the desk, a member
    posts an offer, and a visitor reports a problem with it: every answer of the board is below 400."""
    failures: list[str] = []
    contexts = []

    def page():
        context = stack_browser.new_context(ignore_https_errors=True, locale="de-DE",
                                            viewport={"width": 1000, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        opened = context.new_page()
        opened.on("response", lambda response: failures.append(
            f"{response.status} {response.request.method} {response.url}"
        ) if response.status >= 400 and response.url.startswith(stack.base_url) else None)
        return opened

    base = stack.base_url
    try:
        member = page()
        member.goto(f"{base}/de/account/signup")
        member.fill("#name", "Nachbarschaftshilfe Sonnenhang")
        member.select_option("#type", "initiative")
        member.fill("#email", "kontakt@nachbarn-sonnenhang.example.org")
        member.fill("#phone", "+49 7000 55501")
        member.fill("#address", "Lindenweg 4, Neustetten")
        member.select_option("#district", "Sonnenhang")
        member.fill("#description", "Nachbarn helfen Nachbarn: Möbel, Begleitung, Gespräche.")
        member.fill("#account_email", MEMBER)
        member.fill("#password", MEMBER_PASSWORD)
        member.fill("#password_repeat", MEMBER_PASSWORD)
        member.check("#privacy_consent")
        member.click("main form button[type=submit]")
        member.wait_for_load_state()
        assert not failures, (failures, member.locator("main").inner_text())

        confirmation = [link for link in links(stack.mail.wait_for(MEMBER, "/account/confirm/"))
                        if "/account/confirm/" in link]
        assert confirmation, "the sign-up mail holds no confirmation link"
        assert re.fullmatch(re.escape(base) + r"/[a-z-]+/account/confirm/[^/?#\s]+", confirmation[0])
        stack.secrets_seen.append(confirmation[0].rsplit("/", 1)[1])
        member.goto(confirmation[0])
        member.click("main form button[type=submit]")
        member.wait_for_url(re.compile(r"/dashboard/?$"))

        desk = page()
        desk.goto(f"{base}/de/account/login")
        desk.fill("#email", COORDINATOR[0])
        desk.fill("#password", COORDINATOR[1])
        desk.click("main form button[type=submit]")
        # Production requires two-step sign-in of the coordinator: set up at the first sign-in.
        desk.wait_for_url(re.compile(r"/account/two-factor(/setup)?$"))
        if desk.url.endswith("/setup"):
            qr = desk.locator("main img[src^='data:image/svg+xml']")
            assert qr.evaluate("image => image.complete && image.naturalWidth > 0"), "no QR code shown"
            stack.coordinator_secret = desk.locator("#totp-secret").inner_text().replace(" ", "")
            stack.secrets_seen.append(stack.coordinator_secret)  # no log may hold it
        desk.fill("#code", stack.next_code())
        desk.click("main form button[type=submit]")
        desk.wait_for_url(re.compile(r"/(desk|dashboard)/"))
        desk.goto(f"{base}/de/desk/organisations")
        entry = desk.locator("article, li, tr, section").filter(
            has_text="Nachbarschaftshilfe Sonnenhang").last
        entry.locator("form[action$='/approve'] button").click()
        desk.wait_for_load_state()
        approved = stack.mail.wait_for(MEMBER, "/dashboard")
        assert any(link.startswith(f"{base}/") and "/dashboard" in link for link in links(approved))

        member.goto(f"{base}/de/dashboard/postings/new")
        member.check("input[name=type][value=offer]")
        member.select_option("#category", "baby-children")
        member.select_option("#original_language", "de")
        member.fill("#title", "Kinderbett aus Holz abzugeben")
        member.fill("#body", "70 x 140 cm, mit Matratze und Bettwäsche.\nAbholung am Lindenweg 4.")
        member.select_option("#district", "Sonnenhang")
        member.click("main form button[type=submit]")
        member.wait_for_load_state()

        visitor = page()
        visitor.goto(f"{base}/de/categories/baby-children")
        visitor.click("text=Kinderbett aus Holz abzugeben")
        assert "Nachbarschaftshilfe Sonnenhang" in visitor.locator("main").inner_text()
        visitor.click("a[href*='/report/posting/']")
        visitor.locator("input[name=reason]").first.check()
        visitor.fill("#text", "Das Bett ist schon weg, steht aber noch hier.")
        visitor.click("main form button[type=submit]")
        visitor.wait_for_url("**/report/thanks")
        stack.mail.wait_for(COORDINATOR[0], "/desk/reports")
    finally:
        for context in contexts:
            context.close()
    assert not failures, failures
    # Every link in every mail so far starts with BULLETIN_BASE_URL (nginx passes "board.localhost"
    # without the port as Host, so a link built from the request would lack it).
    for message in stack.mail.messages:
        for link in links(message):
            assert link.startswith(base + "/"), f"{message['Subject']}: {link}"


def test_reset_mail_ignores_a_foreign_host(stack):
    # Through nginx a foreign Host gets no answer (test_https_headers_and_unknown_hosts). Behind a proxy
    # that passed it on, the board itself refuses it, or at least links to its own address.
    direct = http.client.HTTPConnection("127.0.0.1", stack.gunicorn_port, timeout=30)
    try:
        direct.request("GET", "/de/account/forgot-password",
                       headers={"Host": "evil.example", "X-Forwarded-Proto": "https"})
        foreign = direct.getresponse()
        page = foreign.read().decode("utf-8", "replace")
        cookie = (foreign.headers.get("Set-Cookie") or "").split(";", 1)[0]
    finally:
        direct.close()
    if foreign.status == 200:
        token = CSRF_FIELD.search(page).group(1)
        direct = http.client.HTTPConnection("127.0.0.1", stack.gunicorn_port, timeout=30)
        try:
            direct.request("POST", "/de/account/forgot-password",
                           body=f"csrf_token={token}&email={COORDINATOR[0]}",
                           headers={"Host": "evil.example", "Cookie": cookie,
                                    "Content-Type": "application/x-www-form-urlencoded"})
            direct.getresponse().read()
        finally:
            direct.close()
        mailed = links(stack.mail.wait_for(COORDINATOR[0], "/account/reset/"))
        assert all(link.startswith(stack.base_url + "/") for link in mailed), mailed
    else:
        assert foreign.status == 400, f"a foreign Host got {foreign.status}"

    # The board's own name, with a forged X-Forwarded-Host that nginx must overwrite.
    visitor = stack.visitor()
    form = visitor.get("/de/account/forgot-password")
    assert form.status == 200
    sent = visitor.post("/de/account/forgot-password",
                        {"csrf_token": form.csrf_token(), "email": COORDINATOR[0]},
                        headers={"X-Forwarded-Host": "evil.example"})
    assert sent.status == 200, sent.text[:2000]
    reset = [link for link in links(stack.mail.wait_for(COORDINATOR[0], "/account/reset/"))
             if "/account/reset/" in link]
    assert reset and reset[0].startswith(f"{stack.base_url}/de/account/reset/"), reset
    token = reset[0].rsplit("/", 1)[1]
    stack.secrets_seen.append(token)
    assert visitor.get(reset[0][len(stack.base_url):] + f"?q={SECRET_WORD}").status == 200


def test_a_cookie_saved_before_sign_out_is_refused_after_it(stack):
    visitor = stack.visitor()
    signed_in = visitor.sign_in_coordinator()
    assert signed_in.status == 302, signed_in.text[:2000]
    desk = visitor.get("/de/desk/organisations")
    assert desk.status == 200
    saved = dict(visitor.cookies)

    signed_out = visitor.post("/de/account/logout", {"csrf_token": desk.csrf_token()})
    assert signed_out.status == 302, signed_out.text[:2000]
    assert visitor.get("/de/desk/organisations").status == 302

    replayed = stack.visitor(cookies=saved).get("/de/desk/organisations")
    assert replayed.status == 302, "the session saved before signing out still opens the desk"
    assert "/account/login" in replayed.headers["Location"]


def test_sign_in_limit_counts_across_all_workers(stack):
    """Counted in Redis: the 11th attempt from one address is refused, whichever worker gets it, and the
    account's owner signs in from another address at once."""
    attacker = stack.visitor("127.0.0.2")
    token = attacker.get("/de/account/login").csrf_token()
    log_start = stack.gunicorn_access_log.stat().st_size
    attempts = LOGIN_LIMIT + 3

    def attempt(number: int) -> int:
        # Another address each time: only the limit per client address applies, not the one per account.
        form = {"csrf_token": token, "email": f"guess{number}@example.org", "password": "wrong-guess-123"}
        return stack.visitor("127.0.0.2", cookies=attacker.cookies).post("/de/account/login", form).status

    # Four at a time, so that nginx hands them to several workers at once.
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(attempt, range(attempts)))
    assert sorted(statuses) == [400] * LOGIN_LIMIT + [429] * (attempts - LOGIN_LIMIT), statuses

    owner = stack.visitor("127.0.0.3")
    signed_in = owner.sign_in_coordinator()
    assert signed_in.status == 302, signed_in.text[:2000]
    assert "/account/" not in signed_in.headers["Location"]
    assert owner.get("/de/desk/organisations").status == 200

    time.sleep(0.3)  # gunicorn writes a request's line once the answer has gone out
    with open(stack.gunicorn_access_log, encoding="utf-8") as log:
        log.seek(log_start)
        served = re.findall(r'"POST /de/account/login HTTP/[\d.]+" (?:400|429) .* <(\d+)>', log.read())
    assert len(served) >= attempts
    assert len(set(served)) >= 2, "all attempts went to one worker: the test proves nothing about sharing"


def test_logs_hold_no_client_address_query_or_token(stack):
    fake = secrets.token_urlsafe(24)
    stack.secrets_seen.append(fake)
    for address in ("127.0.0.2", "127.0.0.3"):
        visitor = stack.visitor(address)
        for path in (f"/de/search?q={SECRET_WORD}", f"/de/account/reset/{fake}?q={SECRET_WORD}",
                     f"/de/account/confirm/{fake}", f"/de/renew/{fake}?{SECRET_WORD}=1"):
            assert visitor.get(path).status < 500

    deadline = time.monotonic() + 5
    logs = {"gunicorn access": stack.gunicorn_access_log, "nginx access": stack.nginx_access_log}
    while not all("/de/renew/[redacted]" in path.read_text() for path in logs.values()):
        assert time.monotonic() < deadline, {name: path.read_text()[-2000:] for name, path in logs.items()}
        time.sleep(0.1)

    for name, path in {**logs, "gunicorn error": stack.gunicorn_error_log}.items():
        text = path.read_text()
        assert SECRET_WORD not in text, f"{name} log holds a query string"
        for token in stack.secrets_seen:
            assert token not in text, f"{name} log holds the token of a link"
        addresses = ("127.0.0.2", "127.0.0.3") if name == "gunicorn error" else ("127.0.0.",)
        for address in addresses:
            assert address not in text, f"{name} log holds a client address"
    for path in logs.values():
        text = path.read_text()
        assert "/de/search " in text and "/de/account/reset/[redacted] " in text
        assert "/de/account/confirm/[redacted] " in text
    # Every request reached one of the documented servers, none Debian's default log with addresses.
    assert not stack.nginx_default_log.exists() or stack.nginx_default_log.read_text() == ""


def test_every_worker_shows_a_change_the_moment_it_is_committed(stack, tmp_path):
    """Each worker keeps finished pages and counts in memory (page_cache.py, listing_tally.py): a change
    made elsewhere (here: an import on the command line) must still be on every worker's next page."""
    visitor = stack.visitor()

    def homes() -> list[str]:
        with ThreadPoolExecutor(max_workers=2 * WORKERS) as pool:  # spread over the workers
            answers = list(pool.map(lambda _: visitor.get("/de/categories/housing"), range(6 * WORKERS)))
        assert all(answer.status == 200 for answer in answers)
        return [answer.text for answer in answers]

    assert not any("Gästezimmer frei" in page for page in homes())  # every worker has the page kept now
    data = tmp_path / "change.jsonl"
    data.write_text(
        '{"kind": "organisation", "key": "wohnen-hilft", "name": "Wohnen hilft", "verified": true}\n'
        '{"kind": "posting", "key": "zimmer-1", "organisation": "wohnen-hilft", "type": "offer", '
        '"category": "housing", "title": {"de": "Gästezimmer frei"}}\n', encoding="utf-8")
    stack.flask("import-data", str(data))
    assert all("Gästezimmer frei" in page for page in homes())
