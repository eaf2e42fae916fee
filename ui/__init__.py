"""The Streamlit user interface: shared glue (common, auth, form_fields, cache, app) and one
subpackage of page parts per capability. pages/ holds only the thin page scripts Home.py routes to."""
