"""Public surface of the identity module: the only thing other modules import."""
