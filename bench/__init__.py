"""Benchmarks: ``python -m bench [NAME…]`` runs every ``bench/bench_*.py`` module (or those named).

A benchmark module defines ``main() -> None`` and prints its own figures,
medians over many runs; the runner prints the machine once, first.
"""
