"""Regenerate screenshots/*.svg from the real app on the bundled sample digests.

    python screenshots/generate.py

Each shot runs the reader headless with an empty temporary config directory, presses the
keys a user would, and saves what the terminal shows.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from digest_tui.digest.library import bundled_seeds  # noqa: E402
from digest_tui.tui.app import DigestApp  # noqa: E402

# name: (size, keys pressed after loading)
SHOTS: dict[str, tuple[tuple[int, int], list[str]]] = {
    "main": ((120, 40), ["j", "j"]),
    "narrow": ((80, 24), ["j"]),
    "search": ((120, 40), ["slash", *"reasoning"]),
    "help": ((120, 40), ["question_mark"]),
}


async def shoot(name: str, size: tuple[int, int], keys: list[str], config_dir: Path) -> Path:
    (config_dir / "config.toml").write_text('mark_read = "never"\n', encoding="utf-8")
    app = DigestApp(paths=[str(bundled_seeds())], config_dir=config_dir)
    async with app.run_test(size=size) as pilot:
        while app.loading:
            await pilot.pause(0.05)
        await pilot.press(*keys)
        await pilot.pause(0.2)
        path = HERE / f"{name}.svg"
        path.write_text(app.export_screenshot(title=f"digest-tui — {name}"), encoding="utf-8")
    return path


async def main() -> None:
    for name, (size, keys) in SHOTS.items():
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["DIGEST_TUI_CACHE_DIR"] = tmp
            print(await shoot(name, size, keys, Path(tmp)))


if __name__ == "__main__":
    asyncio.run(main())
