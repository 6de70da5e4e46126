"""Public surface of the notifications module: the only thing other modules import."""
