"""Benchmarks of E-Arsip: filing, search, reindex and memory, each beside its baseline."""
