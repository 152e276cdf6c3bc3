#!/usr/bin/env python3
"""Interactive validator (Kattis/ICPC problem package format) of Guess the Number.

Invocation: validate.py input answer feedback_dir [flags]; the submission's output is our stdin and
our stdout is its input. Exit 42 when it found the number within the allowed questions, 43 otherwise.
"""

import sys


def wrong(feedback_dir: str, why: str) -> None:
    with open(feedback_dir.rstrip("/") + "/judgemessage.txt", "w") as f:
        f.write(why + "\n")
    sys.exit(43)


def main() -> None:
    input_file, _answer, feedback_dir = sys.argv[1:4]
    with open(input_file) as f:
        n, secret = map(int, f.read().split())
    allowed = n.bit_length() + 1
    print(n, flush=True)
    for _ in range(allowed):
        line = sys.stdin.readline()
        try:
            guess = int(line)
        except ValueError:
            wrong(feedback_dir, f"expected a number, got {line[:50]!r}")
        if guess == secret:
            print("correct", flush=True)
            if sys.stdin.read(1):
                wrong(feedback_dir, "output after the correct guess")
            sys.exit(42)
        print("lower" if secret < guess else "higher", flush=True)
    wrong(feedback_dir, f"more than {allowed} questions")


if __name__ == "__main__":
    main()
