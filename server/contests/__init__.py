"""Contest packages on disk (SPEC §8)."""
