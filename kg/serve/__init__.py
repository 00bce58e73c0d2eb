"""Serving: the SPARQL endpoint, its worker processes and authorised updates."""
