"""Opening the app's store: the configured file, created and filled with demo data on first start."""
from __future__ import annotations

import logging
from pathlib import Path

from crm_core import demo
from crm_core.config import Settings, load_settings
from crm_core.customer_search import fill_missing_initials
from crm_core.store import Store, open_store

log = logging.getLogger(__name__)


def open_app_store(settings: Settings | None = None) -> Store:
    """The store at ``CRM_DB``; a new file gets the demo dataset so the app never opens empty. In
    team mode (``CRM_DATABASE_URL``) the shared database as it is: a company's database is never
    filled with demo data by opening it (``python -m crm_core team up`` loads the demo)."""
    settings = settings or load_settings()
    is_new = not settings.database_url and not Path(settings.db_path).exists()
    store = open_store(settings.location, settings.timezone)
    if is_new:
        size = demo.load_demo(store, customers=settings.demo_customers)
        log.info("created %s with demo data: %s", settings.db_path, size)
    fill_missing_initials(store)  # a store made before migration 012: once
    return store
