"""The WSGI entry point: gunicorn wsgi:app, behind one reverse proxy (docs/deployment.md)."""

from werkzeug.middleware.proxy_fix import ProxyFix

from bulletin import create_app

app = create_app()
# The proxy terminates TLS and speaks for the client: trust its X-Forwarded-For, -Proto and -Host (one
# hop), so rate limits see each visitor's address and links in mails start with https://.
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
