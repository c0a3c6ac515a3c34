"""Render a report.html to PNG with headless Chromium, to see the page as a reader does.

    python scripts/screenshot_report.py REPORT.html OUT.png [--width 1280] [--height 4000]

Needs Debian's `chromium` (or CHROMIUM=/path/to/chrome). The page is shot at 100% zoom
(device scale factor 1); a height taller than the page leaves white space below it.
Exit codes: 0 written, 2 no Chromium or no screenshot.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def chromium() -> str | None:
    """The Chromium binary: $CHROMIUM, else the first of chromium, chromium-browser, google-chrome on PATH."""
    return os.environ.get("CHROMIUM") or next(
        (p for name in ("chromium", "chromium-browser", "google-chrome") if (p := shutil.which(name))), None)


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 4000, timeout: float = 120) -> Path:
    """Shoot `html` into `png` at `width` x `height` CSS pixels; RuntimeError without Chromium or output."""
    binary = chromium()
    if binary is None:
        raise RuntimeError("no Chromium found (apt-get install chromium, or set CHROMIUM)")
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
               f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={png.resolve()}",
               html.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=4000)
    args = parser.parse_args(argv)
    try:
        print(screenshot(args.html, args.png, args.width, args.height))
    except RuntimeError as err:
        print(f"screenshot_report: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
