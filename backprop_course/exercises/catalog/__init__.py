"""The exercises, one module each, named nNNx_<id>: notebook NN, place x within it (see registry.py)."""
