"""Numbers people type with spaces and marks in them: phone numbers (+254 712 345 678) and the ISO 11784/11785 numbers
of electronic tags (982 000123456789). They are matched by their digits alone, in Python and in the database."""

from django.db.models import F, Value
from django.db.models.functions import Replace

MARKS = (" ", "-", ".", "_", "(", ")", "+", "/")


def digits(text: str | None) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def digits_of(field: str):
    """The field's value without the marks people put between digits, as a database expression to compare."""
    bare = F(field)
    for mark in MARKS:
        bare = Replace(bare, Value(mark), Value(""))
    return bare
