"""tokka (特化AI工房): shared settings and the one message/locale table used by every package."""

__version__ = "0.1.0"
