"""Reference solution for B "Bracket Sequences": one stack scan per string."""

import sys

OPENING = frozenset(b"([{")
MATCHING = {ord(")"): ord("("), ord("]"): ord("["), ord("}"): ord("{")}


def is_balanced(s: bytes) -> bool:
    """Return whether the bracket string s is correctly nested."""
    if len(s) % 2:
        return False
    stack: list[int] = []
    push = stack.append
    pop = stack.pop
    for c in s:
        if c in OPENING:
            push(c)
        elif not stack or pop() != MATCHING[c]:
            return False
    return not stack


def main() -> None:
    """Answer YES or NO for every string of the input."""
    data = sys.stdin.buffer.read().split()
    t = int(data[0])
    answers = ["YES" if is_balanced(s) else "NO" for s in data[1 : t + 1]]
    sys.stdout.write("\n".join(answers) + "\n")


if __name__ == "__main__":
    main()
