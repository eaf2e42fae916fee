"""Kehu's logic: everything the pages and the command line compute, without Streamlit.

Heavy libraries that only some work needs (scipy for the fits and tests, pypinyin's phrase
dictionary for name initials) are imported inside the functions that use them, not at the top of
a module: loading them took ~0.7 s and ~100 MB of every ``python -m crm_core`` start (issue 18), and
most commands never fit, test or convert a name. tests/test_command_line_start.py keeps it so.
"""
