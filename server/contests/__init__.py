"""Contest packages on disk (README, contest packages)."""
