"""Team Trainer: a self-hosted backend for ICPC-style team training."""
