"""Who is using the app: the sign-in form, SSO where configured, and the localhost-only rule."""
import streamlit as st

from crm_core import accounts, audit
from crm_core.users import LOCAL_USER, Actor
from ui.common import plain, store, tr

MAX_FAILED_SIGN_INS = 5


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def _sso_actor(known: dict) -> Actor | None:
    """An SSO user is let in only if the accounts file names them (their email as the user name)."""
    if not getattr(st.user, "is_logged_in", False):
        return None
    account = known.get(st.user.get("email", ""))
    return account.actor() if account else None


def _sign_in_form(known: dict) -> None:
    st.title(tr("auth.sign_in_title"))
    failures = st.session_state.setdefault("failed_sign_ins", 0)
    if failures >= MAX_FAILED_SIGN_INS:
        st.error(tr("auth.too_many_attempts"))
        return
    with st.form("sign_in"):
        name = st.text_input(tr("auth.user_name"))
        password = st.text_input(tr("auth.password"), type="password")
        submitted = st.form_submit_button(tr("auth.sign_in"), type="primary")
    if submitted:
        actor = accounts.verify(known, name.strip(), password)
        if actor is None:
            st.session_state["failed_sign_ins"] = failures + 1
            audit.record_event(store(), Actor(name.strip() or "?", "viewer"), "sign_in_failed", "session")
            st.error(tr("auth.wrong_credentials"))
        else:
            audit.record_event(store(), actor, "sign_in", "session")
            st.session_state["actor"] = actor
            st.rerun()
    if _sso_configured():
        st.button(tr("auth.sign_in_sso"), on_click=st.login)


def _gate(body) -> None:
    """Show only ``body`` and stop. Navigation is still declared, so Streamlit never falls back to
    listing (and running) the files in pages/ for a visitor who is not signed in."""
    st.navigation([st.Page(body, title=tr("auth.sign_in"), url_path="sign-in")], position="hidden").run()
    st.stop()


def require_sign_in() -> Actor:
    """The acting user; until there is one, the sign-in form (or a refusal) is all that is served."""
    known = accounts.load_accounts()
    problem = accounts.startup_problem(st.get_option("server.address"), known)
    if problem:
        _gate(lambda: st.error(tr(problem)))
    if not known:
        # Local mode: only code sets the actor (tests seed a role); a visitor is the local manager.
        return st.session_state.setdefault("actor", LOCAL_USER)
    actor = st.session_state.get("actor") or (_sso_actor(known) if _sso_configured() else None)
    if actor is None:
        _gate(lambda: _sign_in_form(known))
    st.session_state["actor"] = actor
    st.sidebar.caption(tr("auth.signed_in_as", name=plain(actor.name), role=tr(f"role.{actor.role}")))
    if st.sidebar.button(tr("auth.sign_out"), key="sign_out"):
        audit.record_event(store(), actor, "sign_out", "session")
        st.session_state.pop("actor", None)
        if getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()
    return actor
