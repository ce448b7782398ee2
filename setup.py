# Kept for tooling that predates PEP 517; pyproject.toml is the source of truth.
from setuptools import setup

setup()
