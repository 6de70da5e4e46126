"""Public surface of the catalog module: the only thing other modules import."""
