"""Entry point: everything (page config, language, sign-in, navigation) is in ui.app.run_app."""
from ui.app import run_app

run_app()
