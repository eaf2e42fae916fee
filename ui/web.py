"""The HTTP side of signing in, served by Home.py's ``st.App`` beside Streamlit's own routes.

A Streamlit script cannot set an HttpOnly cookie, so signing in is a plain HTML form posted to a
route of our own (no script, works with password managers):

- ``GET /auth/sign-in?next=/customer_360?code=C1`` — the form, in the browser's language;
- ``POST /auth/sign-in`` — ``crm_core.sessions.sign_in`` (bounded input, attempt limits, audit);
  on success the session cookie is set and the browser goes (303) to ``next``, the page it asked
  for; on failure the form again with the reason (and until when a lock lasts);
- ``SignInRedirect`` — a page load (a GET for HTML outside Streamlit's own paths) without a live
  session goes to the form first, with ``next`` = the page asked for. This is for the person; the
  protection is ``ui.auth.require_sign_in``, which checks the session on every script run.
- The same middleware guards Streamlit's media files (``/media/…``: every download button's file,
  e.g. the whole customer export): with accounts, a request without a live session cookie is
  answered 403, so a copied link is useless to anyone not signed in, and to everyone once the
  session ends. (Streamlit itself drops a session's media files some time after its browser went
  away.) With single sign-on the session is Streamlit's, not ours: media stays Streamlit's.

The cookie ``kehu_session``: a random token (only its hash is stored), HttpOnly, SameSite=Lax,
Path=/, Max-Age = ``sessions.LIFETIME``, Secure when served over HTTPS. The form carries a
double-submit token (cookie ``kehu_csrf``) so another site cannot sign a browser in.
"""
from __future__ import annotations

import html
import secrets
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from crm_core import accounts, sessions
from crm_core.app_state import open_app_store
from crm_core.config import load_settings
from crm_core.i18n import format_date, language_of_request, t
from ui import survey_web
from ui.http_forms import read_form

SESSION_COOKIE = "kehu_session"
SIGN_IN_PATH = "/auth/sign-in"
CSRF_COOKIE = "kehu_csrf"
MAX_FORM_BYTES = 8192  # a name of 64 and a password of 256 characters, percent-encoded, fit many times
MAX_NEXT = 2048
MEDIA_PATH = "/media/"  # Streamlit's media files: download buttons' files, images
# Streamlit's own paths and ours: never a page load to redirect.
_NOT_PAGES = ("/_stcore/", "/static/", MEDIA_PATH, "/component/", "/auth/", "/app/static/", "/oauth2callback",
              "/survey/")  # survey links: answered without signing in (ui.survey_web)


def sso_configured() -> bool:
    """Whether Streamlit's OIDC sign-in is configured (``[auth]`` in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def safe_next(value: str | None) -> str:
    """A path on this site to return to after signing in ("/" for anything else: no open redirect)."""
    if (not value or len(value) > MAX_NEXT or not value.startswith("/") or value.startswith("//")
            or "\\" in value or not value.isprintable() or value.startswith(SIGN_IN_PATH)):
        return "/"
    return value


def _language(request: Request) -> str:
    return language_of_request(request.query_params.get("lang"), request.headers.get("accept-language", ""))


_STYLE = """
body{font-family:"Source Sans Pro","Noto Sans CJK SC",sans-serif;background:#f7f7f9;margin:0;color:#222}
main{max-width:360px;margin:12vh auto;background:#fff;padding:2rem;border-radius:8px;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.5rem;margin:0 0 1.2rem}label{display:block;margin:.8rem 0 .3rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;
border:1px solid #bbb;border-radius:4px}
button{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem;background:#C8102E;color:#fff;border:0;
border-radius:4px;cursor:pointer}
.error{background:#fdecea;color:#8a1c1c;padding:.6rem;border-radius:4px}
"""


def _page(lang: str, next_path: str, csrf: str, name: str = "", error: str | None = None) -> str:
    e = html.escape
    message = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="{'zh-CN' if lang == 'zh' else 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(t("auth.sign_in_title", lang))}</title><style>{_STYLE}</style></head>
<body><main><h1>{e(t("auth.sign_in_title", lang))}</h1>{message}
<form method="post" action="{SIGN_IN_PATH}?{e(urlencode({"lang": lang}))}">
<input type="hidden" name="next" value="{e(next_path)}"><input type="hidden" name="csrf" value="{e(csrf)}">
<label for="name">{e(t("auth.user_name", lang))}</label>
<input type="text" id="name" name="name" value="{e(name)}" maxlength="{accounts.MAX_NAME}" required
 autocomplete="username" autofocus>
<label for="password">{e(t("auth.password", lang))}</label>
<input type="password" id="password" name="password" maxlength="{accounts.MAX_PASSWORD}" required
 autocomplete="current-password">
<button type="submit">{e(t("auth.sign_in", lang))}</button>
</form></main></body></html>"""


def _form_response(request: Request, next_path: str, name: str = "", error: str | None = None,
                   status: int = 200, drop_session: bool = False) -> Response:
    """The form with the browser's double-submit token (a new one if it has none, so two open sign-in
    tabs share it); ``drop_session``: the browser's session cookie is dead, so it is deleted."""
    csrf = request.cookies.get(CSRF_COOKIE, "")
    if not 16 <= len(csrf) <= 64:
        csrf = secrets.token_urlsafe(24)
    response = HTMLResponse(_page(_language(request), next_path, csrf, name, error), status_code=status,
                            headers={"Cache-Control": "no-store"})
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/auth/",
                        secure=request.url.scheme == "https")
    if drop_session and SESSION_COOKIE in request.cookies:
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _live_session(token: str | None) -> bool:
    return sessions.account_for(open_app_store(), token) is not None


def _lock_text(lang: str, until) -> str:
    return t("auth.too_many_attempts", lang, until=format_date(until.astimezone(load_settings().tz), lang))


def _refusal(lang: str, outcome: sessions.SignIn) -> tuple[str, int]:
    if outcome.locked_until is not None:  # locked now, or by this very failure
        gap = "" if lang == "zh" else " "  # Chinese sentences follow each other without a space
        wrong = t("auth.wrong_credentials", lang) + gap if outcome.error == "auth.wrong_credentials" else ""
        return wrong + _lock_text(lang, outcome.locked_until), 429
    if outcome.error == "auth.too_long":
        return t("auth.too_long", lang, name_max=accounts.MAX_NAME, password_max=accounts.MAX_PASSWORD), 413
    return t(outcome.error or "auth.wrong_credentials", lang), 401


async def sign_in_page(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        if await run_in_threadpool(_live_session, request.cookies.get(SESSION_COOKIE)):
            return RedirectResponse(next_path, status_code=303)
        return _form_response(request, next_path, drop_session=True)
    lang = _language(request)
    fields = await read_form(request, MAX_FORM_BYTES, max_fields=8)
    if fields is None:
        return _form_response(request, next_path, error=_refusal(lang, sessions.SignIn(error="auth.too_long"))[0],
                              status=413)
    next_path = safe_next(fields.get("next"))
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, fields.get("csrf", "")):
        return _form_response(request, next_path, error=t("auth.form_expired", lang), status=400)
    name, password = fields.get("name", ""), fields.get("password", "")
    address = request.client.host if request.client else None
    outcome = await run_in_threadpool(sessions.sign_in, open_app_store(), name, password, address)
    if outcome.token is None:
        error, status = _refusal(lang, outcome)
        shown = name if len(name) <= accounts.MAX_NAME else ""
        return _form_response(request, next_path, shown, error, status)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, outcome.token, max_age=int(sessions.LIFETIME.total_seconds()),
                        httponly=True, samesite="lax", path="/", secure=request.url.scheme == "https")
    response.delete_cookie(CSRF_COOKIE, path="/auth/")
    return response


def _page_allowed(token: str | None, file_error_allows: bool = True) -> bool:
    """Whether a request may go on to the app: signed in, or nothing to sign in to. Anything
    odd (an unreadable users.toml, no accounts on a network address) lets a page load go on, and
    the app itself shows why it does not serve; a media request (``file_error_allows`` False) is
    refused while users.toml cannot be read."""
    settings = load_settings()
    if not settings.database_url and not Path(settings.db_path).exists() and not accounts.users_file().exists():
        return True  # a first start without accounts: no store to open yet
    store = open_app_store(settings)
    try:
        accounts.sync_file(store)
    except accounts.AccountsFileError:
        return file_error_allows
    if not accounts.has_accounts(store) or sso_configured():
        return True
    return sessions.account_for(store, token) is not None


def _is_page_load(request: Request) -> bool:
    path = request.url.path
    last = path.rsplit("/", 1)[-1]
    return (request.method == "GET" and "text/html" in request.headers.get("accept", "")
            and not path.startswith(_NOT_PAGES) and "." not in last)


def _media_refusal(request: Request) -> Response:
    return PlainTextResponse(t("uploads.media_needs_session", _language(request)), status_code=403,
                             headers={"Cache-Control": "no-store"})


class SignInRedirect:
    """Pure ASGI middleware: page loads without a live session go to the sign-in form first;
    media files without one are refused (403)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            request = Request(scope)
            token = request.cookies.get(SESSION_COOKIE)
            if request.url.path.startswith(MEDIA_PATH):
                if not await run_in_threadpool(_page_allowed, token, False):
                    await _media_refusal(request)(scope, receive, send)
                    return
            elif _is_page_load(request) and not await run_in_threadpool(_page_allowed, token):
                asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                target = f"{SIGN_IN_PATH}?{urlencode({'next': safe_next(asked)})}"
                await RedirectResponse(target, status_code=303)(scope, receive, send)
                return
        await self.app(scope, receive, send)


ROUTES = [Route(SIGN_IN_PATH, sign_in_page, methods=["GET", "POST"]), *survey_web.ROUTES]
MIDDLEWARE = [Middleware(SignInRedirect)]
