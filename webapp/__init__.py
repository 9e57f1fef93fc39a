"""The Flask application factory: configuration, extensions, blueprints, error pages, CLI."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from core.errors import DomainError
from core.enums import label
from core.postings.cards import CardCache
from indexer.search.factory import make_backend

from .config import instance_folder, load_config
from .extensions import csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parents[1] / "migrations")

# Blueprints by audience; each module exposes ``bp``.
BLUEPRINTS = [
    "webapp.auth.views",
    "webapp.auth.reset",
    "webapp.auth.display",
    "webapp.public.views",
    "webapp.seeker.views",
    "webapp.inbox.views",
    "webapp.alerts.views",
    "webapp.seeker.privacy",
    "webapp.enterprise.views",
    "webapp.enterprise.invitations",
    "webapp.admin.views",
    "webapp.search.views",
    "webapp.partner.views",
    "webapp.review.views",
    "webapp.commissioner.views",
    "webapp.matching.views",
    "webapp.projects.views",
    "webapp.livestreams.views",
    "webapp.fairs.views",
    "webapp.reference.views",
    "webapp.stats.views",
    "webapp.stats.api",
    "webapp.monitoring.views",
    "webapp.households.views",
]


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=_instance_path(test_config), instance_relative_config=True)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(instance))
    if test_config:
        app.config.update(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    from .auth.login import load_user

    login_manager.user_loader(load_user)
    csrf.init_app(app)
    limiter.init_app(app)

    from . import transactions

    transactions.init_app(app)  # writes queue instead of failing (WAL, busy timeout, BEGIN IMMEDIATE)

    _init_search(app)
    from .auth.hardening import init_app as init_hardening

    init_hardening(app)  # before the blueprints: their <int:> rules use its bounded converter
    _register_blueprints(app)
    _register_error_handlers(app)
    _register_template_helpers(app)

    from .cli import register_commands

    register_commands(app)

    from .auth.policy import enforce_declarations

    app.before_request(enforce_declarations)

    @app.teardown_appcontext
    def _remove_session(_exc=None):
        db.session.remove()

    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    transactions.wrap_views(app)  # last: every view is a unit of work that runs again after a conflict
    return app


def _instance_path(test_config: dict | None) -> str:
    """A test's own folder (``INSTANCE_PATH`` in its config), else JOBLINK_INSTANCE or ``instance/``."""
    if test_config and test_config.get("INSTANCE_PATH"):
        return str(test_config["INSTANCE_PATH"])
    return str(instance_folder())


def _init_search(app: Flask) -> None:
    """Choose the concrete search backend and hand it to the rest of the app (a service registry)."""
    app.extensions["search"] = make_backend(app.config)
    # the cards of postings this process showed lately (core/postings/cards.py), for search results
    app.extensions["joblink_cards"] = CardCache()


def _register_blueprints(app: Flask) -> None:
    import importlib

    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(name).bp)


def _register_error_handlers(app: Flask) -> None:
    messages = {
        400: "请求有误，请检查后重试",
        401: "请先登录",
        403: "您没有权限访问此页面",
        404: "页面不存在或已被删除",
        405: "不支持该操作",
        413: "上传的文件太大",
        429: "操作太频繁，请稍后再试",
        500: "服务器出现问题，我们已记录，请稍后再试",
    }

    def render_error(status: int, message: str, code: str, field: str | None = None):
        if request.path.startswith("/api/"):
            err = {"code": code, "message": message}
            if field:
                err["field"] = field
            return jsonify({"error": err}), status
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(DomainError)
    def _domain_error(exc: DomainError):
        if request.path.startswith("/api/"):
            return jsonify(exc.as_dict()), exc.status
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = messages.get(status, exc.description or "请求无法完成")
        if status == 400 and exc.description and "CSRF" in exc.description:
            message = "页面已过期或来源无效（CSRF 校验失败），请刷新页面后重试"
        code = {401: "login_required", 403: "forbidden", 404: "not_found", 429: "rate_limited"}.get(
            status, exc.name.lower().replace(" ", "_")
        )
        resp = make_response(render_error(status, message, code))
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:  # RFC 9110: a 405 names what is allowed
            resp.headers["Allow"] = ", ".join(exc.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        db.session.rollback()
        return render_error(500, messages[500], "internal_error")


def _register_template_helpers(app: Flask) -> None:
    from core import labels
    from core.identity import mask_id_number, mask_phone

    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["field_label"] = labels.field_label
    app.jinja_env.filters["severity_label"] = lambda s: labels.SEVERITY_LABELS.get(s or "hold", "待审")
    app.jinja_env.filters["rule_category"] = lambda c: labels.RULE_CATEGORY_LABELS.get(c or "other", "其他")
    app.jinja_env.filters["setting_label"] = labels.setting_label
    app.jinja_env.filters["setting_value"] = labels.setting_value
    app.jinja_env.globals["reason_label"] = labels.reason_label

    @app.context_processor
    def _helpers():
        return {"has_endpoint": lambda name: name in app.view_functions, "label": label}
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["mask_id"] = mask_id_number

    @app.template_filter("pay")
    def _pay(posting) -> str:
        from core.postings.services import format_pay

        return format_pay(posting)

    @app.template_filter("region_name")
    def _region_name(code: str | None) -> str:
        from core.reference.services import region_directory

        ref = region_directory(db.session).get(code)
        return ref.full_name if ref else (code or "")

    @app.template_filter("occupation_name")
    def _occupation_name(code: str | None) -> str:
        from core.reference.services import occupation_directory

        ref = occupation_directory(db.session).get(code)
        return ref.name if ref else (code or "")
