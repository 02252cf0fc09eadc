"""Benchmarks: speed, memory and scale of zhiku on this machine (issue 7).

Each script prints a table and writes JSON under bench/results/; `python -m bench [--quick]`
runs them all. Machines here are shared: every comparison is two runs side by side in one
script run, reported as a ratio, with the load average beside it. Never timed in tests.
"""
