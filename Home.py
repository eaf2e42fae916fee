"""Entry point, in two roles so that ``streamlit run Home.py`` stays the one command:

- imported by the server: ``streamlit run`` finds ``app`` (an ``st.App``) and serves it, with the
  sign-in routes and the redirect of page loads without a session (``ui.web``), and the scheduler's
  runner thread started and stopped with the server (``ui.scheduler.server_lifespan``);
- run by Streamlit as the script of every page (``__main__``): everything — page config, language,
  sign-in, navigation — is in ``ui.app.run_app``.
"""
import streamlit as st

if __name__ == "__main__":
    from ui.app import run_app

    run_app()
else:
    from ui.scheduler import server_lifespan
    from ui.web import MIDDLEWARE, ROUTES

    app = st.App(__file__, routes=ROUTES, middleware=MIDDLEWARE, lifespan=server_lifespan)
