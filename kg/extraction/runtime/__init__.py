"""How extraction runs: worker processes, Dask, the disk cache and the model check.

The extraction internals never import from here except the disk cache.
"""
