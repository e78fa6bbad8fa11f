"""Composition root for Celery workers: ``celery -A cortico.celery_app worker``.

Settings come from the instance folder and the environment exactly as for the
web process (see :mod:`cortico.settings`).
"""

from cortico.jobs import make_celery
from cortico.settings import load_settings

celery_app = make_celery(load_settings())
app = celery_app
