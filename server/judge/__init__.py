"""Embedded local judge: compile, run sandboxed, compare answers."""
