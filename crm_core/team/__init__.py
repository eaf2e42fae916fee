"""Team mode (issue 19): several app processes over one shared PostgreSQL database, the embedded
DuckDB file staying the default.

What exists so far is the first slice, the foundation the later steps build on; the app does not
use any of it yet:

- ``local_postgres``: a throwaway local PostgreSQL cluster from Debian's packages (tests, trying it);
- ``schema``: the one numbered migration list applied to PostgreSQL (``migrate_postgres``), each
  DuckDB body with DuckDB's type spellings replaced by PostgreSQL's (``postgres_body``);
- ``replica``: the change log on PostgreSQL (``install_change_log``) and ``AnalyticCopy``, an
  in-process DuckDB copy filled as Arrow and refreshed with the changed rows only;
- ``bulk_load``: a DuckDB store's rows into PostgreSQL with ``COPY`` (``copy_to_postgres``).
"""
