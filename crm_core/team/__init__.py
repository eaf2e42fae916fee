"""Team mode (issue 19): several app processes over one shared PostgreSQL database
(``CRM_DATABASE_URL``), the embedded DuckDB file staying the default.

- ``schema``: the one numbered migration list applied to PostgreSQL (``migrate_postgres``), each
  DuckDB body with DuckDB's type spellings replaced by PostgreSQL's (``postgres_body``);
- ``replica``: the change log on PostgreSQL (``install_change_log``) and ``AnalyticCopy``, an
  in-process DuckDB copy filled as Arrow and refreshed with the changed rows only;
- ``store``: ``TeamStore``, the Store of team mode: reads on the copy, writes to PostgreSQL
  (``writes``: the app's write code recorded on the copy and its rows replaced in PostgreSQL);
- ``backup``: ``pg_dump`` and ``pg_restore``, a restore done while every process runs (each refills
  its copy when it sees ``restore_no`` moved);
- ``bulk_load``: a DuckDB store's rows into PostgreSQL with ``COPY`` (``copy_to_postgres``, the demo);
- ``local_postgres``: a throwaway local PostgreSQL cluster from Debian's packages (tests, trying it);
- ``local_team``: ``python -m crm_core team up`` / ``down`` (PostgreSQL, two app processes, nginx).
"""
