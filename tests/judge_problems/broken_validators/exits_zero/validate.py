"""A validator that breaks the Kattis convention: exit 0 is neither accepted (42) nor wrong (43)."""

import sys

sys.stdin.read()
sys.exit(0)
