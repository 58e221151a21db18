"""Smoke tests of the benchmarks, on small inputs."""
