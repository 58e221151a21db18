"""Tests of the core library: plain Python, no Django, no database."""
