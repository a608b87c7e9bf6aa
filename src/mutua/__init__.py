"""Mutua: software for running mutual aid networks."""

__version__ = "0.1.0"
