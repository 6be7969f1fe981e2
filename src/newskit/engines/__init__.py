"""Execution engines for the stages that scale with data: one process (the default) or Ray."""
