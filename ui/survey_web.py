"""The public survey form behind a personal link, served by Home.py's ``st.App`` (ui.web adds the routes).

- ``GET /survey/<token>`` — the wave's questions as a plain HTML form (no script, phone-sized), in
  the browser's language (``Accept-Language``; ``?lang=zh|en`` switches);
- ``POST /survey/<token>`` — the answers, validated by the same rules as imports and the entry form
  (crm_core.satisfaction.entry.SurveyResponseIn); wrong answers: the form again with the reasons,
  nothing stored (422); right: stored once and a thank-you page.
- A used link: "already answered" (410); an expired one: "expired" (410); a forged or unknown
  token: "not found" (404). No page shows anything about the customer or earlier answers.

No sign-in (ui.web lets ``/survey/`` through) and no state in the process: every request reads the
store, so any process holding it can serve these routes.
"""
from __future__ import annotations

import html
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from crm_core.app_state import open_app_store
from crm_core.i18n import language_of_request, t
from crm_core.models import field_errors
from crm_core.satisfaction import links
from crm_core.satisfaction.entry import SurveyResponseIn
from crm_core.satisfaction.servqual import DIMENSIONS
from crm_core.store import Store
from ui.http_forms import read_form

MAX_FORM_BYTES = 32_768  # a 2,000-character Chinese comment percent-encoded is 18 KB
MAX_COMMENT = SurveyResponseIn.model_fields["comment"].metadata[0].max_length
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex",
           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"}
e = html.escape


def _store() -> Store:
    return open_app_store()


def _now(db: Store) -> datetime:
    """The outermost caller reads the clock (crm_core.satisfaction.links takes ``now``)."""
    return datetime.now(ZoneInfo(db.timezone)).replace(microsecond=0)


def _language(request: Request) -> str:
    return language_of_request(request.query_params.get("lang"), request.headers.get("accept-language", ""))


_STYLE = """
body{font-family:"Source Sans Pro","Noto Sans CJK SC",sans-serif;background:#f7f7f9;margin:0;color:#222;
line-height:1.45}
main{max-width:640px;margin:0 auto;background:#fff;padding:1.2rem 1rem 2rem;box-sizing:border-box;min-height:100vh}
@media(min-width:700px){main{margin:2rem auto;min-height:0;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.12);
padding:2rem}}
header{display:flex;justify-content:space-between;align-items:baseline;gap:1rem}
h1{font-size:1.4rem;margin:0 0 .6rem}h2{font-size:1.1rem;margin:1.6rem 0 .3rem}
.lang{font-size:.95rem;color:#C8102E;white-space:nowrap}
fieldset{border:0;margin:1.1rem 0 0;padding:0}legend{font-weight:600;padding:0;margin-bottom:.4rem}
.scale{display:flex;flex-wrap:wrap;gap:.35rem}
.pill{position:relative;display:inline-flex}
.pill input{position:absolute;opacity:0;width:1px;height:1px}
.pill span{display:inline-block;min-width:2.6rem;min-height:2.6rem;box-sizing:border-box;padding:.45rem .7rem;
border:1px solid #bbb;border-radius:6px;text-align:center;cursor:pointer;background:#fff}
.pill input:checked+span{background:#C8102E;border-color:#C8102E;color:#fff}
.pill input:focus-visible+span{outline:3px solid #f3a;outline-offset:1px}
.labels .pill span{text-align:left;min-width:0}
.labels{flex-direction:column;align-items:stretch}.labels .pill span{width:100%}
.row11{display:grid;grid-template-columns:repeat(11,1fr);gap:3px}.row11 .pill span{min-width:0;width:100%;padding:.45rem 0}
.sub{font-size:.9rem;color:#555;margin:.5rem 0 .25rem}
textarea{width:100%;box-sizing:border-box;min-height:6rem;padding:.5rem;font-size:1rem;border:1px solid #bbb;
border-radius:4px;font-family:inherit}
button{margin-top:1.5rem;width:100%;padding:.8rem;font-size:1.05rem;background:#C8102E;color:#fff;border:0;
border-radius:6px;cursor:pointer}
.error{background:#fdecea;color:#8a1c1c;padding:.6rem .8rem;border-radius:4px}
.error ul{margin:.3rem 0 0;padding-left:1.2rem}.field-error{color:#8a1c1c;font-size:.95rem;margin:.2rem 0}
.bad legend{color:#8a1c1c}
"""


def _document(lang: str, title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{e(title)}</title><style>{_STYLE}</style></head><body><main>{body}</main></body></html>"""


def _message_page(lang: str, kind: str, status: int, title_key: str | None = None) -> HTMLResponse:
    """A page saying one thing: ``survey_link.<kind>`` under ``survey_link.<kind>_title`` (or ``title_key``)."""
    title = t(title_key or f"survey_link.{kind}_title", lang)
    body = f"<h1>{e(title)}</h1><p>{e(t(f'survey_link.{kind}', lang))}</p>"
    return HTMLResponse(_document(lang, title, body), status_code=status, headers=HEADERS)


REFUSALS = {"invalid": ("invalid", 404), "used": ("used", 410), "expired": ("expired", 410)}


def _choice(name: str, options, given: dict, layout: str = "") -> str:
    """Radio buttons styled as buttons: a row (1–7, yes/no), ``labels`` a column of labelled
    choices, ``row11`` the 0–10 scale in one row even on a phone."""
    chosen = given.get(name)
    pills = "".join(
        f'<label class="pill"><input type="radio" name="{e(name)}" value="{e(value)}"'
        f'{" checked" if chosen == value else ""}><span>{e(text)}</span></label>'
        for value, text in options)
    return f'<div class="scale {layout}">{pills}</div>'


def _question(name: str, legend: str, control: str, errors: dict) -> str:
    problem = errors.get(name)
    note = f'<p class="field-error" id="{e(name)}-error">{e(problem)}</p>' if problem else ""
    return (f'<fieldset id="q-{e(name)}"{" class=bad" if problem else ""}><legend>{e(legend)}</legend>'
            f"{note}{control}</fieldset>")


def _yes_no(lang: str):
    return (("yes", t("survey_link.yes", lang)), ("no", t("survey_link.no", lang)))


def _servqual_block(lang: str, given: dict, errors: dict) -> str:
    parts = [f"<h2>{e(t('survey_link.servqual_title', lang))}</h2>",
             f'<p class="sub">{e(t("survey_link.servqual_intro", lang))}</p>']
    scale = [(str(v), str(v)) for v in range(1, 8)]
    for dimension in DIMENSIONS:
        rows = []
        for kind, label in (("exp", "survey_link.expect"), ("perc", "survey_link.got")):
            name = f"{kind}_{dimension}"
            problem = errors.get(name)
            note = f'<p class="field-error">{e(problem)}</p>' if problem else ""
            rows.append(f'<p class="sub">{e(t(label, lang))}</p>{note}{_choice(name, scale, given)}')
        legend = f"{t(f'satisfaction.dimension.{dimension}', lang)} — {t(f'survey_link.dimension.{dimension}', lang)}"
        bad = any(f"{k}_{dimension}" in errors for k in ("exp", "perc"))
        parts.append(f'<fieldset{" class=bad" if bad else ""}><legend>{e(legend)}</legend>{"".join(rows)}</fieldset>')
    return "".join(parts)


def _field_title(name: str, lang: str) -> str:
    """The short name of a question (the entry form's field names) for the list of problems."""
    return t(f"sat.field.{name}", lang) if name else ""


def form_page(state: links.LinkState, token: str, lang: str, given: dict | None = None,
              errors: dict | None = None) -> str:
    """The questionnaire of the link's wave; ``given``/``errors`` refill it after a refused answer."""
    given, errors = given or {}, errors or {}
    other = "en" if lang == "zh" else "zh"
    action = f"{links.SURVEY_PATH}{e(token)}?{urlencode({'lang': lang})}"
    summary = ""
    if errors:
        items = "".join(f"<li><b>{e(_field_title(name, lang))}</b> {e(message)}</li>"
                        for name, message in errors.items())
        summary = f'<div class="error" role="alert">{e(t("survey_link.errors", lang))}<ul>{items}</ul></div>'
    satisfaction = [(str(v), t(f"satisfaction.label.{v}", lang)) for v in range(5, 0, -1)]
    questions = [
        _question("satisfaction", t("survey_link.q.satisfaction", lang), _choice("satisfaction", satisfaction, given, "labels"), errors),
        _question("repurchase_intent", t("survey_link.q.repurchase_intent", lang),
                  _choice("repurchase_intent", _yes_no(lang), given), errors),
        _question("recommend_yes", t("survey_link.q.recommend_yes", lang), _choice("recommend_yes", _yes_no(lang), given), errors),
        _question("recommend", t("survey_link.q.recommend", lang),
                  _choice("recommend", [(str(v), str(v)) for v in range(11)], given, "row11"), errors),
    ]
    servqual = _servqual_block(lang, given, errors) if state.asks_servqual else ""
    comment = _question("comment", t("survey_link.q.comment", lang, max=MAX_COMMENT),
                        f'<textarea name="comment" maxlength="{MAX_COMMENT}" aria-label="{e(t("survey_link.q.comment", lang, max=MAX_COMMENT))}">'
                        f'{e(given.get("comment") or "")}</textarea>', errors)
    body = f"""<header><h1>{e(t("survey_link.title", lang))}</h1>
<a class="lang" href="{links.SURVEY_PATH}{e(token)}?{urlencode({'lang': other})}">{e(t("survey_link.language", lang))}</a></header>
<p class="sub">{e(state.wave_name)}</p><p>{e(t("survey_link.intro", lang))}</p>{summary}
<form method="post" action="{action}">{"".join(questions)}{servqual}{comment}
<button type="submit">{e(t("survey_link.submit", lang))}</button></form>"""
    return _document(lang, t("survey_link.title", lang), body)


def _answer(db: Store, token: str, lang: str, form: dict[str, str]) -> Response:
    now = _now(db)
    state = links.link_state(db, token, now)
    if state.status != "open":
        return _message_page(lang, *REFUSALS[state.status])
    try:
        links.submit_answer(db, token, form, now)
    except ValidationError as error:
        page = form_page(state, token, lang, form, field_errors(error, lang))
        return HTMLResponse(page, status_code=422, headers=HEADERS)
    except links.LinkRefused as refused:  # answered in another tab a moment ago
        return _message_page(lang, *REFUSALS[refused.status])
    return _message_page(lang, "thanks", 200)


def _show(db: Store, token: str, lang: str) -> Response:
    state = links.link_state(db, token, _now(db))
    if state.status != "open":
        return _message_page(lang, *REFUSALS[state.status])
    return HTMLResponse(form_page(state, token, lang), headers=HEADERS)


async def survey_page(request: Request) -> Response:
    lang = _language(request)
    token = request.path_params["token"]
    if request.method == "GET":
        return await run_in_threadpool(lambda: _show(_store(), token, lang))
    try:
        form = await read_form(request, MAX_FORM_BYTES, max_fields=64)
    except ValueError:  # more fields than any answer has
        return _message_page(lang, "bad_form", 400, "survey_link.title")
    if form is None:
        return _message_page(lang, "too_large", 413, "survey_link.title")
    return await run_in_threadpool(lambda: _answer(_store(), token, lang, form))


ROUTES = [Route(links.SURVEY_PATH + "{token}", survey_page, methods=["GET", "POST"])]
