"""One catalog, every key in both languages, placeholders consistent."""
import re
from string import Formatter

from crm_core.i18n import CATALOG, format_money, language_from_locale, t


def placeholders(text):
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_key_has_both_languages_with_the_same_placeholders():
    for key, texts in CATALOG.items():
        assert texts.get("en") and texts.get("zh"), key
        assert placeholders(texts["en"]) == placeholders(texts["zh"]), key


def test_chinese_texts_are_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    untranslated = [k for k, v in CATALOG.items() if not han.search(v["zh"]) and v["zh"] == v["en"]
                    and len(v["en"]) > 4]
    assert untranslated == []


def test_lookup_and_fallbacks():
    assert t("page.customers", "zh") == "客户"
    assert t("page.customers", "en") == "Customers"
    assert t("no.such.key", "en") == "no.such.key"
    assert language_from_locale("en-US") == "en"
    assert language_from_locale("zh-CN") == "zh"
    assert language_from_locale(None) == "zh"


def test_money_formats_per_language():
    assert format_money(128_000_000, "en", "USD") == "$128,000,000"
    assert format_money(128_000_000, "zh", "USD") == "$1.28亿"
    assert format_money(15_000, "zh") == "¥1.5万"
    assert format_money(None, "zh") == "—"


def test_every_multiselect_says_its_placeholder():
    """Streamlit's own placeholder of an empty multiselect ("Choose options") is English only: every
    multiselect of the UI passes its own, from the catalog."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    missing = []
    for path in [root / "Home.py", *(root / "pages").glob("*.py"), *(root / "ui").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "multiselect"
                    and not any(k.arg == "placeholder" for k in node.keywords)):
                missing.append(f"{path.relative_to(root)}:{node.lineno}")
    assert missing == []
