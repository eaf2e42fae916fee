"""Who is using the app, asked again on every script run: the session cookie, SSO where configured,
and the localhost-only rule when there are no accounts.

Signing in happens on the sign-in page (``ui.web``, an HTML form that sets the HttpOnly session
cookie). Here, on every run, the cookie's session and its account are read from the store as they
are now (``crm_core.sessions.account_for``): a deleted or disabled account, an ended session →
the sign-in prompt at once; a changed role or set of rep codes → the new rights at once.
"""
from __future__ import annotations

import html
import logging
from urllib.parse import urlencode, urlsplit

import streamlit as st

from crm_core import accounts, sessions
from crm_core.store import Store
from crm_core.users import LOCAL_USER, Actor
from ui.common import lang, plain, store, tr
from ui.web import SESSION_COOKIE, SIGN_IN_PATH, sso_configured

log = logging.getLogger(__name__)

_SIGN_OUT_NOTICE = "auth_notice"  # session state: why the last run ended the session (a catalog key)
_logged_file_errors: set[str] = set()
_LINK_STYLE = ("display:inline-block;padding:.45rem 1.2rem;background:#C8102E;color:#fff;border-radius:.5rem;"
               "text-decoration:none")


def session_token() -> str | None:
    """The session cookie the browser sent with this connection (HttpOnly: only the server reads it)."""
    return st.context.cookies.get(SESSION_COOKIE)


def _current_account(db: Store) -> accounts.Account | None:
    account = sessions.account_for(db, session_token())
    if account is None and sso_configured() and getattr(st.user, "is_logged_in", False):
        # An SSO user is let in only if an account has their e-mail as its user name.
        account = accounts.enabled_account(db, str(st.user.get("email", ""))[:accounts.MAX_NAME])
    return account


def _here() -> str:
    """The page being shown, with its query (the deep link to come back to after signing in)."""
    path = urlsplit(st.context.url or "/").path or "/"
    query = urlencode(st.query_params.to_dict())
    return path + (f"?{query}" if query else "")


def _sign_in_prompt(reason: str) -> None:
    st.title(tr("auth.sign_in_title"))
    st.info(tr(reason))
    link = f"{SIGN_IN_PATH}?{urlencode({'next': _here(), 'lang': lang()})}"
    # A plain link (same tab, unlike st.link_button): the sign-in page brings the user back here.
    st.html(f'<a href="{html.escape(link)}" style="{_LINK_STYLE}">{html.escape(tr("auth.go_to_sign_in"))}</a>')
    if sso_configured():
        st.button(tr("auth.sign_in_sso"), on_click=st.login)


def _gate(body, url_paths: list[str]) -> None:
    """Show only ``body`` and stop. Navigation is still declared — under every page's address, so a
    deep link shows this, not Streamlit's "Page not found" — and Streamlit never falls back to
    listing (and running) the files in pages/ for a visitor who is not signed in."""
    pages = [st.Page(body, title=tr("auth.sign_in"), url_path="sign-in", default=True)]
    pages += [st.Page(body, title=tr("auth.sign_in"), url_path=path) for path in url_paths]
    st.navigation(pages, position="hidden").run()
    st.stop()


def _accounts_file_refusal(error: accounts.AccountsFileError, url_paths: list[str]) -> None:
    if str(error) not in _logged_file_errors:  # once per problem, not once per page load
        _logged_file_errors.add(str(error))
        log.error("users file cannot be used, nobody can sign in: %s", error)
    _gate(lambda: st.error(tr("err.accounts_file")), url_paths)


def _change_password(db: Store, actor: Actor) -> None:
    with st.sidebar.popover(tr("auth.change_password")), st.form("change_password", clear_on_submit=True):
        current = st.text_input(tr("auth.current_password"), type="password", max_chars=accounts.MAX_PASSWORD)
        new = st.text_input(tr("auth.new_password"), type="password", max_chars=accounts.MAX_PASSWORD)
        if st.form_submit_button(tr("auth.change_password")):
            try:
                accounts.change_own_password(db, actor, current, new)
            except accounts.AccountError as error:
                st.error(tr(error.key, **error.params))
            else:
                st.session_state[_SIGN_OUT_NOTICE] = "auth.password_changed"
                st.rerun()


def _signed_in_sidebar(db: Store, account: accounts.Account) -> None:
    actor = account.actor()
    st.sidebar.caption(tr("auth.signed_in_as", name=plain(actor.label), role=tr(f"role.{actor.role}")))
    if st.sidebar.button(tr("auth.sign_out"), key="sign_out"):
        sessions.sign_out(db, actor)  # every session of this user, in every browser
        st.session_state[_SIGN_OUT_NOTICE] = "auth.signed_out"
        if getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()
    if account.managed_by == "admin":  # an account kept in users.toml changes its password there
        _change_password(db, actor)


def require_sign_in(url_paths: list[str]) -> Actor:
    """The acting user, read afresh; until there is one, the sign-in prompt (or a refusal) is all
    that is served. ``url_paths``: the app's page addresses (a deep link shows the prompt too)."""
    db = store()
    try:
        accounts.sync_file(db)
    except accounts.AccountsFileError as error:
        _accounts_file_refusal(error, url_paths)
    has_any = accounts.has_accounts(db)
    problem = accounts.startup_problem(st.get_option("server.address"), has_any)
    if problem:
        _gate(lambda: st.error(tr(problem)), url_paths)
    if not has_any:
        # Local mode: only code sets the actor (tests seed a role); a visitor is the local manager.
        return st.session_state.setdefault("actor", LOCAL_USER)
    account = _current_account(db)
    if account is None:
        st.session_state.pop("actor", None)
        notice = st.session_state.get(_SIGN_OUT_NOTICE)
        reason = notice or ("auth.session_ended" if session_token() else "auth.please_sign_in")
        _gate(lambda: _sign_in_prompt(reason), url_paths)
    st.session_state.pop(_SIGN_OUT_NOTICE, None)
    actor = account.actor()
    st.session_state["actor"] = actor
    _signed_in_sidebar(db, account)
    return actor
