"""Stage 5, training: configs, data loading, cross-validation, models, train, evaluate, predict."""
