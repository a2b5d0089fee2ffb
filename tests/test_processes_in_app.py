"""Other processes start while a full-screen app holds sys.stderr (a capture with no file
descriptor, as Textual's): the parse workers and the index build are not silently lost there.
Each case runs in a fresh interpreter, since the resource tracker starts once a process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CAPTURED_STDERR = """
import io, os, sys

class Capture(io.TextIOBase):  # what Textual puts in sys.stderr while an app runs
    def write(self, text):
        return len(text)
    def fileno(self):
        return -1

sys.stderr = Capture()
"""


def run(body: str) -> str:
    script = CAPTURED_STDERR + "if __name__ == '__main__':\n" + textwrap.indent(textwrap.dedent(body), "    ")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_process_pool_starts_under_a_captured_stderr():
    out = run(
        """
        from digest_tui.digest.pool import process_pool
        with process_pool(1) as pool:
            print(pool.submit(os.getpid).result() != os.getpid())
        """
    )
    assert out.strip() == "True"


def test_an_index_build_runs_under_a_captured_stderr(tmp_path):
    out = run(
        f"""
        from pathlib import Path
        from digest_tui.digest.indexing import IndexBuild
        from digest_tui.digest.library import bundled_seeds, load_library
        from digest_tui.digest.search import SearchIndex, search_bytes
        library = load_library([bundled_seeds()])
        tokens = IndexBuild(Path({str(tmp_path)!r}), library.entries).run([search_bytes(e) for e in library.entries])
        index = SearchIndex(library.entries, tokens=tokens)
        print(index.search("diffusion") == SearchIndex(library.entries).search("diffusion") != [])
        """
    )
    assert out.strip() == "True"
