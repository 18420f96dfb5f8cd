"""Zengzhi: consumption-appreciation loyalty economies, computed exactly."""

__version__ = "0.1.0"
