"""Message catalogs, one module per capability.

Each module defines ``MESSAGES: dict[str, dict[str, str]]`` mapping a stable key to its
text in every language (``{"en": ..., "zh": ...}``). ``crm_core.i18n`` merges them into
the one catalog the UI uses; a test checks that every key has both languages and that no
two modules define the same key.
"""
