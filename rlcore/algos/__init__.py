"""One file per algorithm; ``rlcore.registry`` lists them."""
