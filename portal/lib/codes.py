"""Random codes that people read from paper and type back: receipts, letters, certificates."""

import re
import secrets

# 32 symbols without 0/O and 1/I, so a code read aloud or typed from paper is not misread:
# 12 of them are 60 bits.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 12


def random_code(length: int = LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def code_symbols(text: str) -> str:
    """A code as typed, without spaces or dashes, in capitals: ` k7qm-2xd9 ` -> `K7QM2XD9`."""
    return re.sub(r"[\s-]", "", text or "").upper()


def grouped(code: str) -> str:
    """`7KQ2-M9XD-P3HT`: a code in groups of four, as printed."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
