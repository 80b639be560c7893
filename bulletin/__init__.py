"""The board: a multilingual bulletin board where organisations post offers and requests for refugees."""

from __future__ import annotations

import os
import secrets

from flask import Flask

from bulletin import config, settings


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, command line, error pages."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    _configure(app, test_config)
    _init_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    from bulletin import page_cache, web

    web.init_app(app)
    page_cache.init_app(app)  # last: its steps must run next to the views (see the module)
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    if test_config and "INSTANCE_PATH" in test_config:
        app.instance_path = test_config["INSTANCE_PATH"]
    os.makedirs(app.instance_path, exist_ok=True)
    board_settings = settings.load(app.instance_path, test_config)
    if not board_settings.secret_key and board_settings.environment == "development":
        board_settings = settings.replace(board_settings, SECRET_KEY=_development_secret(app.instance_path))
    config.check_production(board_settings)
    board_settings = config.complete(board_settings)
    settings.init_app(app, board_settings)
    app.config.from_mapping(config.flask_config(board_settings, test_config))


def _development_secret(instance_path: str) -> str:
    """A random key kept in the instance folder, so a laptop's sessions survive a restart."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as handle:
            handle.write(secrets.token_hex(32))
        os.chmod(path, 0o600)
    with open(path) as handle:
        return handle.read().strip()


def _init_extensions(app: Flask) -> None:
    from bulletin import db, i18n, passwords
    from bulletin.extensions import babel, csrf, limiter, login_manager

    db.init_app(app)
    i18n.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    passwords.init_app(app)
    from bulletin import search

    search.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from bulletin.blueprints import account, api, dashboard, printing, public
    from bulletin.blueprints.desk import routes as desk

    for module in (public, account, dashboard, desk, printing, api):
        app.register_blueprint(module.bp)
    # The coordinator's desk: reports from visitors, renew links, visitor counts.
    from bulletin.blueprints import renewal, reports, visits

    for module in (reports, renewal, visits):
        app.register_blueprint(module.bp)
    # Volunteer translators: their queue, the side-by-side editor, the coordinator's review.
    from bulletin.blueprints import translate

    app.register_blueprint(translate.bp)
    # Confirming a sign-up's address; the privacy notice, imprint and accessibility statement.
    from bulletin.blueprints import legal, signup

    for module in (signup, legal):
        app.register_blueprint(module.bp)
    # Where an account is signed in, and signing out every other browser; two-step sign-in.
    from bulletin.blueprints import sign_ins, two_factor

    for module in (sign_ins, two_factor):
        app.register_blueprint(module.bp)


def _register_commands(app: Flask) -> None:
    from bulletin import commands

    commands.init_app(app)
