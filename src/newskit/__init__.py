"""newskit: a labeled-dataset and classifier training kit for news sentences."""

__version__ = "0.1.0"
