"""The benchmark, kept out of the installed package: `python benchmarks/bench.py [--smoke]`."""
