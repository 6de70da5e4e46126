"""Public surface of the reference module: the only thing other modules import."""
