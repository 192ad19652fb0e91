"""Hyperparameter search: Optuna studies over the search spaces the ``hp()`` metadata gives."""
