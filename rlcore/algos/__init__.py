"""One file per algorithm; ``rlcore.algos.registry`` lists them."""
