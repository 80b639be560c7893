"""The board as it runs in production, on this machine's loopback addresses.

nginx (Debian's package) terminates TLS with a self-signed certificate and runs the server block of
docs/deployment.md; behind it gunicorn runs ``wsgi:app`` with 4 workers and the shipped
``bulletin.gunicorn_config``, on a fresh PostgreSQL database migrated with ``flask db upgrade``, with
rate limits counted in Redis (database 13) and mail delivered by SMTP to a server in this process.

Whatever is missing (nginx, openssl, Redis, PostgreSQL through TEST_DATABASE_URL, Chromium) skips the
tests, or fails them with BULLETIN_REQUIRE_STACK=1 (CI). Every process started here is stopped, and the
database dropped, however the tests end.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOYMENT_DOC = REPO / "docs" / "deployment.md"
BIN = Path(sys.executable).parent
HOST = "board.localhost"  # Chromium resolves every *.localhost name to the loopback address itself
REDIS_URL = "redis://127.0.0.1:6379/13"
WORKERS = 4
START_TIMEOUT = 40  # seconds for one process to come up; all of them together take about 10
COORDINATOR = ("koordination@example.org", "koordination-stack-2026")
CSRF_FIELD = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')
TOTP_SECRET = re.compile(r'<code id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>')  # the two-step set-up page


def unavailable(reason: str):
    """Skip, or fail when the stack is required (CI sets BULLETIN_REQUIRE_STACK=1)."""
    if os.environ.get("BULLETIN_REQUIRE_STACK") == "1":
        pytest.fail(f"{reason}, and BULLETIN_REQUIRE_STACK=1 requires it")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Mail ------------------------------------------------------------------------------------------------


class MailSink:
    """An SMTP server's handler (aiosmtpd) that keeps every message for the test to wait for."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._taken: set[int] = set()
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, to: str, contains: str = "", timeout: float = 20) -> EmailMessage:
        """The first message to ``to`` whose text holds ``contains`` and that no earlier call returned.

        The board sends some mails after its answer has gone out, so they may arrive a moment later."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for number, message in enumerate(self.messages):
                    if number not in self._taken and to in str(message["To"]) and contains in body(message):
                        self._taken.add(number)
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    sent = [f"{message['To']}: {message['Subject']}" for message in self.messages]
                    pytest.fail(f"No mail to {to} holding {contains!r} within {timeout} s; mails: {sent}")
                self._arrived.wait(left)


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",)) or message
    return part.get_content()


def links(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s<>\"')]+", body(message))


# Processes -------------------------------------------------------------------------------------------


class Service:
    """A process of the stack, its output in a file (pipes nobody reads would fill up and block it)."""

    def __init__(self, name: str, args: list[str], log: Path, env: dict | None = None,
                 stop_signal: int = signal.SIGTERM) -> None:
        self.name, self.log, self.stop_signal = name, log, stop_signal
        with open(log, "wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 (fixed programs and arguments)
                args, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=REPO,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def check_running(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"{self.name} stopped with exit code {self.process.returncode}:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def wait_until(ready, service: Service, what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        service.check_running()
        if time.monotonic() > deadline:
            pytest.fail(f"{service.name} did not {what} within {timeout} s:\n{service.output()}")
        time.sleep(0.1)


def answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/", headers={"Host": HOST})
        connection.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        connection.close()


def accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def run(args: list[str], env: dict, stdin: str | None = None, timeout: float = 90) -> str:
    done = subprocess.run(  # noqa: S603 (fixed programs and arguments)
        args, input=stdin, capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout, check=False,
    )
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


# nginx: the block of docs/deployment.md --------------------------------------------------------------


def documented_nginx_block() -> str:
    """The nginx configuration docs/deployment.md shows: the one nginx code block that proxies."""
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOYMENT_DOC.read_text(encoding="utf-8"), re.DOTALL)
    proxying = [block for block in blocks if "proxy_pass" in block]
    assert len(proxying) == 1, "docs/deployment.md should show exactly one nginx block with proxy_pass"
    return proxying[0]


def render_nginx_site(https_port: int, http_port: int, upstream_port: int, cert: Path, key: Path,
                      access_log: Path) -> str:
    """The documented block with this machine's ports, name, certificate and log file, and nothing else
    changed. A replacement that no longer finds its text fails: the docs changed, the test must follow."""
    site = documented_nginx_block()
    replacements = [
        (r"listen 443\b", f"listen 127.0.0.1:{https_port}"),
        (r"listen 80\b", f"listen 127.0.0.1:{http_port}"),
        (r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};"),
        (r"server_name board\.example\.org;", f"server_name {HOST};"),
        (r"proxy_pass http://127\.0\.0\.1:8000;", f"proxy_pass http://127.0.0.1:{upstream_port};"),
        (r"/var/log/nginx/board\.access\.log", str(access_log)),
    ]
    for pattern, value in replacements:
        site, count = re.subn(pattern, lambda _match, value=value: value, site)
        assert count, f"docs/deployment.md's nginx block has no {pattern!r} any more: update test_stack"
    return site


def nginx_main_config(folder: Path, site: Path, default_log: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around the site, with every path in ``folder``."""
    temp = folder / "nginx-temp"
    temp.mkdir()
    # As root, nginx's workers would run as "nobody", who cannot reach the test's private folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    paths = "".join(f"    {kind}_temp_path {temp / kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"{user}worker_processes 2;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'nginx-error.log'} notice;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"{paths}"
        # Debian's default access log, in the combined format with addresses: it must stay empty,
        # because every request lands in one of the documented servers.
        f"    access_log {default_log};\n"
        "    default_type application/octet-stream;\n"
        f"    include {site};\n"
        "}\n"
    )


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(path, os.X_OK)), None
    )


# HTTPS client ----------------------------------------------------------------------------------------


class _LoopbackTLS(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 but names ``host`` in TLS (SNI) and in the certificate check, as a browser
    would for board.localhost; Python's resolver need not know *.localhost."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def csrf_token(self) -> str:
        found = CSRF_FIELD.search(self.text)
        assert found, f"no CSRF token on the page ({self.status}):\n{self.text[:2000]}"
        return found.group(1)


class Visitor:
    """One visitor of the board through nginx over HTTPS, from one loopback address, with its cookies.

    Forms are posted with the Referer and Origin a browser sends under ``Referrer-Policy: same-origin``."""

    def __init__(self, stack: Stack, address: str = "127.0.0.1", cookies: dict | None = None) -> None:
        self.stack, self.address = stack, address
        self.cookies: dict[str, str] = dict(cookies or {})

    def request(self, method: str, path: str, form: dict | None = None, host: str | None = None,
                headers: dict | None = None) -> Answer:
        connection = _LoopbackTLS(HOST, self.stack.https_port, timeout=30, context=self.stack.tls,
                                  source_address=(self.address, 0))
        sent = {"Host": host or f"{HOST}:{self.stack.https_port}", "User-Agent": "stack-test"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        data = None
        if form is not None:
            data = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.stack.base_url
            sent["Referer"] = self.stack.base_url + path
        sent.update(headers or {})
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Answer(response.status, response.headers, text)

    def get(self, path: str, **options) -> Answer:
        return self.request("GET", path, **options)

    def post(self, path: str, form: dict, **options) -> Answer:
        return self.request("POST", path, form=form, **options)

    def sign_in(self, email_address: str, password: str) -> Answer:
        token = self.get("/de/account/login").csrf_token()
        form = {"csrf_token": token, "email": email_address, "password": password}
        return self.post("/de/account/login", form)

    def sign_in_coordinator(self) -> Answer:
        """The password, then a one-time code; the first time, the set-up page's key is taken down first
        (production requires two-step sign-in of coordinators)."""
        password = self.sign_in(*COORDINATOR)
        assert password.status == 302, password.text[:2000]
        path = password.headers["Location"].removeprefix(self.stack.base_url)
        assert path.endswith(("/account/two-factor", "/account/two-factor/setup")), path
        page = self.get(path)
        assert page.status == 200, page.text[:2000]
        if path.endswith("/setup"):
            self.stack.coordinator_secret = TOTP_SECRET.search(page.text).group(1).replace(" ", "")
            self.stack.secrets_seen.append(self.stack.coordinator_secret)  # no log may hold it
        return self.post(path, {"csrf_token": page.csrf_token(), "code": self.stack.next_code()})


# The stack -------------------------------------------------------------------------------------------


@dataclass
class Stack:
    base_url: str
    https_port: int
    http_port: int
    gunicorn_port: int
    tls: ssl.SSLContext
    mail: MailSink
    gunicorn_access_log: Path
    gunicorn_error_log: Path
    nginx_access_log: Path
    nginx_default_log: Path
    nginx_error_log: Path
    board_env: dict = field(default_factory=dict, repr=False)  # the workers' environment, for the CLI
    # Tokens of links the tests opened: none may turn up in a log.
    secrets_seen: list[str] = field(default_factory=list)
    # The coordinator's two-step key, once set up, and the last time step a code was sent for.
    coordinator_secret: str | None = None
    coordinator_step: int = 0

    def next_code(self) -> str:
        """A code for the coordinator that the board has not taken yet: it accepts each time step once,
        and one step ahead of its clock at most. Waits (rarely, under 30 s) when both are used up."""
        assert self.coordinator_secret, "the coordinator's two-step sign-in is not set up yet"
        totp = pyotp.TOTP(self.coordinator_secret)
        while True:
            current = int(time.time() // totp.interval)
            step = max(current, self.coordinator_step + 1)
            if step <= current + 1:
                break
            time.sleep(1)
        self.coordinator_step = step
        return totp.generate_otp(step)

    def flask(self, *args: str) -> str:
        """Run ``flask --app bulletin ARGS`` as the operator would on this host, against this board."""
        return run([str(BIN / "flask"), "--app", "bulletin", *args], self.board_env)

    def visitor(self, address: str = "127.0.0.1", cookies: dict | None = None) -> Visitor:
        return Visitor(self, address, cookies)


def _fresh_database(stack: contextlib.ExitStack) -> str:
    """A database of its own on TEST_DATABASE_URL's server (other tests empty that one meanwhile)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        unavailable("TEST_DATABASE_URL is not set (the stack runs on PostgreSQL)")
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url).set(drivername="postgresql")
    name = "stack_" + secrets.token_hex(6)
    conninfo = server.render_as_string(hide_password=False)
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL at TEST_DATABASE_URL does not answer ({error})")

    def drop() -> None:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    stack.callback(drop)
    return server.set(database=name).render_as_string(hide_password=False)


def _redis(stack: contextlib.ExitStack) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
    stack.callback(client.close)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis does not answer at 127.0.0.1:6379 ({error})")
    client.flushdb()  # counts left by an earlier run
    stack.callback(client.flushdb)


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "board.crt", folder / "board.key"
    run([shutil.which("openssl") or "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
         "-addext", f"subjectAltName=DNS:{HOST}", "-keyout", str(key), "-out", str(cert)],
        env=dict(os.environ))
    return cert, key


def board_environment(database_url: str, base_url: str, smtp_port: int, gunicorn_port: int,
                      folder: Path) -> dict:
    """A production configuration: no BULLETIN_ENV, nothing inherited from the shell running the tests."""
    inherited = {name: value for name, value in os.environ.items()
                 if not name.startswith(("BULLETIN_", "MAIL_", "RATELIMIT_", "SESSION_", "FLASK_"))
                 and name not in {"SECRET_KEY", "DATABASE_URL"}}
    return {
        **inherited,
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "BULLETIN_BASE_URL": base_url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_DEFAULT_SENDER": "Neustetten hilft <board@example.org>",
        "BULLETIN_OPERATOR_NAME": "Stadt Neustetten, Büro für Integration",
        "BULLETIN_OPERATOR_ADDRESS": "Marktplatz 1, 71000 Neustetten",
        "BULLETIN_OPERATOR_EMAIL": "integration@example.org",
        "BULLETIN_INDEX_DIR": str(folder / "index"),
        "BULLETIN_UPLOAD_DIR": str(folder / "uploads"),
        "BULLETIN_WORKERS": str(WORKERS),
        "BULLETIN_BIND": f"127.0.0.1:{gunicorn_port}",
        # gunicorn 25.1+ opens a control socket there (else in ~/.gunicorn, shared with other runs).
        "XDG_RUNTIME_DIR": str(folder),
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    nginx = nginx_binary()
    if nginx is None:
        unavailable("nginx is not installed (Debian package 'nginx')")
    if shutil.which("openssl") is None:
        unavailable("openssl is not installed (it makes the certificate)")
    folder = tmp_path_factory.mktemp("stack")
    with contextlib.ExitStack() as cleanup:
        _redis(cleanup)
        database_url = _fresh_database(cleanup)

        from aiosmtpd.controller import Controller

        sink = MailSink()
        smtp_port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        cleanup.callback(controller.stop)

        https_port, http_port, gunicorn_port = free_port(), free_port(), free_port()
        base_url = f"https://{HOST}:{https_port}"
        env = board_environment(database_url, base_url, smtp_port, gunicorn_port, folder)
        flask = [str(BIN / "flask"), "--app", "bulletin"]
        run([*flask, "db", "upgrade"], env)

        access_log, error_log = folder / "gunicorn-access.log", folder / "gunicorn-error.log"
        gunicorn = Service("gunicorn", [
            str(BIN / "gunicorn"), "-c", "python:bulletin.gunicorn_config",
            "--access-logfile", str(access_log), "--error-logfile", str(error_log),
            "--graceful-timeout", "5", "wsgi:app",
        ], folder / "gunicorn-output.log", env, stop_signal=signal.SIGINT)  # SIGINT: no graceful wait
        cleanup.callback(gunicorn.stop)
        # While the workers load the app (the slowest step: four imports at once).
        run([*flask, "create-user", COORDINATOR[0], "--role", "coordinator", "--password-stdin"], env,
            stdin=COORDINATOR[1] + "\n")
        wait_until(lambda: answers(gunicorn_port), gunicorn, "answer")
        wait_until(lambda: error_log.read_text().count("Booting worker with pid") >= WORKERS, gunicorn,
                   f"boot {WORKERS} workers")

        cert, key = _certificate(folder)
        nginx_access, nginx_default = folder / "nginx-access.log", folder / "nginx-default-access.log"
        site = folder / "board.conf"
        site.write_text(render_nginx_site(https_port, http_port, gunicorn_port, cert, key, nginx_access))
        main = folder / "nginx.conf"
        main.write_text(nginx_main_config(folder, site, nginx_default))
        command = [nginx, "-p", f"{folder}/", "-e", str(folder / "nginx-error.log"), "-c", str(main)]
        run([*command, "-t"], env=dict(os.environ))
        proxy = Service("nginx", [*command, "-g", "daemon off;"], folder / "nginx-output.log")
        cleanup.callback(proxy.stop)
        wait_until(lambda: accepts(https_port), proxy, "listen")

        tls = ssl.create_default_context(cafile=str(cert))
        yield Stack(
            base_url=base_url, https_port=https_port, http_port=http_port, gunicorn_port=gunicorn_port,
            tls=tls, mail=sink, gunicorn_access_log=access_log, gunicorn_error_log=error_log,
            nginx_access_log=nginx_access, nginx_default_log=nginx_default,
            nginx_error_log=folder / "nginx-error.log", board_env=env,
        )
        gunicorn.check_running()  # it must not have died during the tests


@pytest.fixture(scope="module")
def stack_browser(request):
    """The session's headless Chromium (tests/conftest.py); missing, it fails under BULLETIN_REQUIRE_STACK."""
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        unavailable("Chromium is not installed (Debian package 'chromium')")
    return request.getfixturevalue("chromium")
