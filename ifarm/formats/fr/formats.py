"""French: 5 janvier 2027. Django's three-letter months are English in French for half the year (Jan, Mar, Jul...)
and "Jui" is both June and July; its other abbreviations are not the ones French readers use (jan. for janv.), so
months are written in full."""

from ifarm.formats.named_months import *  # noqa: F403
