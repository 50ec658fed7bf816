"""Build hook: put the web console's JavaScript libraries into the package.

The console's own files live in ``updraft/server/_console/static``; the libraries it uses
come from the npm registry through ``console/package.json`` and its lock file, never copied
into the repository. Building a wheel (``pip install .``) or an editable install
(``pip install -e .``) runs ``npm ci`` in ``console/`` and copies the files that
``package.json`` lists under ``"updraftVendor"`` (destination name -> path inside
``node_modules``) into ``updraft/server/_console/static/vendor/``, where the server serves
them under ``/static/vendor/``. A wheel also carries them inside; an editable install reads
them from the source tree. When every listed file is already there and newer than the lock
file and ``package.json``, npm is not run again, so a reinstall stays fast.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: Where the console's npm project is, and where its libraries go, from the project root.
CONSOLE = "console"
VENDOR = "updraft/server/_console/static/vendor"
#: The key of package.json that lists the files to copy.
VENDOR_KEY = "updraftVendor"


class ConsoleBuildHook(BuildHookInterface):
    """Runs ``npm ci`` for the console and ships the libraries it lists."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        vendor = root / VENDOR
        files = vendor_files(root / CONSOLE)
        if not up_to_date(root / CONSOLE, vendor, files):
            npm_ci(root / CONSOLE)
            copy_vendor(root / CONSOLE / "node_modules", vendor, files)
        if version != "editable":  # an editable install reads them from the source tree
            for name in files:
                build_data["force_include"][str(vendor / name)] = f"{VENDOR}/{name}"


def vendor_files(console: Path) -> dict[str, str]:
    """``{file name in vendor/: path inside node_modules}`` from package.json."""
    package = console / "package.json"
    try:
        listed = json.loads(package.read_text(encoding="utf-8")).get(VENDOR_KEY)
    except FileNotFoundError:
        raise RuntimeError(
            f"{package} is missing: the web console's libraries cannot be installed. Build "
            "from a full source checkout (or an sdist made from one)"
        ) from None
    if not isinstance(listed, dict) or not listed or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in listed.items()
    ):
        raise RuntimeError(
            f'{package} needs a "{VENDOR_KEY}" object mapping each file name to copy into '
            f'{VENDOR}/ to its path inside node_modules, e.g. '
            '{"cytoscape.min.js": "cytoscape/dist/cytoscape.min.js"}'
        )
    for name, source in listed.items():
        if "/" in name or name in ("", ".", "..") or ".." in source.split("/"):
            raise RuntimeError(
                f'{package}: "{VENDOR_KEY}" entry {name!r}: {source!r} must map a plain file '
                "name to a path inside node_modules"
            )
    return dict(listed)


def up_to_date(console: Path, vendor: Path, files: dict[str, str]) -> bool:
    """Whether every listed file is in ``vendor`` and newer than the lock and package.json."""
    inputs = [console / "package.json", console / "package-lock.json"]
    newest_input = max((p.stat().st_mtime for p in inputs if p.exists()), default=0.0)
    for name in files:
        target = vendor / name
        if not target.is_file() or target.stat().st_mtime <= newest_input:
            return False
    return True


def npm_ci(console: Path) -> None:
    """Install the console's locked dependencies into ``console/node_modules``."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm was not found on PATH, and building updraft needs it to fetch the web "
            "console's JavaScript libraries (console/package.json). Install Node.js with npm "
            "(e.g. `apt-get install npm`) and build again"
        )
    if not (console / "package-lock.json").is_file():
        raise RuntimeError(
            f"{console / 'package-lock.json'} is missing; create it with "
            f"`npm install --package-lock-only` in {console} and commit it"
        )
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
    done = subprocess.run(
        command, cwd=console, capture_output=True, text=True, check=False,
        env={**os.environ, "npm_config_update_notifier": "false"},
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-3000:]
        raise RuntimeError(
            f"`npm ci` in {console} failed (exit {done.returncode}); the web console's "
            f"libraries could not be installed:\n{tail}"
        )


def copy_vendor(node_modules: Path, vendor: Path, files: dict[str, str]) -> None:
    """Copy the listed files into ``vendor``, replacing what a previous build left there."""
    if vendor.exists():
        shutil.rmtree(vendor)
    vendor.mkdir(parents=True)
    for name, source in files.items():
        path = node_modules / source
        if not path.is_file():
            raise RuntimeError(
                f'console/package.json lists "{name}": "{source}" under "{VENDOR_KEY}", but '
                f"npm ci did not install {path}; fix the path or the dependency"
            )
        shutil.copyfile(path, vendor / name)
