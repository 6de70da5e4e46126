"""Public surface of the apiaccess module: the only thing other modules import."""
