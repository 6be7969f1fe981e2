"""Stage 6, model cards: rendered from a run's measured evaluation, never by hand."""
