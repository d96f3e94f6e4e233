"""lexhub: a regional law-enforcement information-sharing hub."""

__version__ = "0.1.0"
