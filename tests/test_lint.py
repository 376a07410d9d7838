"""The code base stays `ruff` clean (config in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

from paths import PROJECT_ROOT


def test_ruff_check_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [str(ruff), "check", "."], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]
