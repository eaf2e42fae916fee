"""The command line starts without the heavy libraries only some work needs (crm_core's docstring)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("scipy", "pypinyin")


def test_building_the_command_line_loads_no_heavy_library():
    code = ("import sys; import crm_core.__main__ as m; m.build_parser(); "
            "from crm_core.ingest import kinds; kinds(); "
            f"print(sorted({{name.split('.')[0] for name in sys.modules}} & set({HEAVY!r})))")
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
