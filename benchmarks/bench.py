"""The benchmark: `python benchmarks/bench.py [--smoke] [--output FILE]` (the same as `digest-tui bench`).

See digest_tui/bench.py for what it measures; the results are in docs/benchmarks.md.
"""

import sys

from digest_tui.bench import main

if __name__ == "__main__":
    sys.exit(main())
