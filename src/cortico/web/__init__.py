"""Web adapter: the Flask application (pages, ``/api/v1``, health, OpenAPI)."""

import re
from datetime import timedelta

from flask import Flask
from flask_cors import CORS
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix

from cortico._version import __version__
from cortico.jobs import make_celery
from cortico.settings import load_settings
from cortico.web.errors import register_error_handlers

__all__ = ["create_app"]

_OPENAPI = {
    "API_TITLE": "cortico",
    "API_VERSION": __version__,
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_REDOC_PATH": "/redoc",
    "OPENAPI_REDOC_URL": "/static/vendor/redoc/redoc.standalone.js",
    "OPENAPI_SWAGGER_UI_PATH": "/swagger-ui",
    "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Brain painting and cortical patch alignment. API routes take "
            "`Authorization: Bearer <token>` (create one with `cortico token create NAME`)."
        },
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    },
}


def create_app(test_config=None):
    """Create the cortico Flask app.

    Parameters
    ----------
    test_config : dict, optional
        Settings that override every other source (see :mod:`cortico.settings`);
        ``INSTANCE_PATH`` in it selects the instance folder.
    """
    test_config = dict(test_config or {})
    settings = load_settings(test_config.pop("INSTANCE_PATH", None), test_config)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"])
    app.config.update(_OPENAPI)
    app.config.update(settings)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=int(settings["RETENTION_SECONDS"]))

    if settings.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, **settings["PROXY_FIX"])
    if settings.get("CORS_ORIGINS"):
        CORS(
            app,
            # The whole origin must match (flask-cors would accept any origin starting with a match).
            origins=re.compile(rf"(?:{settings['CORS_ORIGINS']})\Z"),
            max_age=settings["CORS_MAX_AGE"],
            allow_headers=["Authorization", "Content-Type", "X-CHUNMA-FILESIZE", "X-CHUNMA-SEGMENTATION"],
            expose_headers=["Content-Disposition", "Location"],
        )

    celery = make_celery(settings)
    app.extensions["celery"] = celery
    app.extensions["cortico.db"] = celery.cortico.db

    api = Api(app)
    _register_blueprints(app, api)
    register_error_handlers(app, api)
    from cortico.web._input_guard import init_input_guard

    init_input_guard(app)
    from cortico.web._browser_security import init_browser_security
    from cortico.web._csrf import init_csrf

    init_browser_security(app)
    init_csrf(app)
    from cortico.web._commands import initdb_command

    app.cli.add_command(initdb_command)
    return app


def _register_blueprints(app, api):
    from cortico.web import image_service, v0
    from cortico.web.api import align, atlases, health, images, jobs, paint
    from cortico.web.pages import align as align_pages
    from cortico.web.pages import atlases as atlas_pages
    from cortico.web.pages import home
    from cortico.web.pages import paint as paint_pages

    api.register_blueprint(health.blp)
    api.register_blueprint(jobs.blp)
    api.register_blueprint(image_service.blp)
    api.register_blueprint(images.blp)
    api.register_blueprint(v0.blp)
    api.register_blueprint(align.blp)
    api.register_blueprint(paint.blp)
    api.register_blueprint(atlases.blp)
    app.register_blueprint(home.bp)
    app.register_blueprint(align_pages.bp)
    app.register_blueprint(paint_pages.bp)
    app.register_blueprint(atlas_pages.bp)
