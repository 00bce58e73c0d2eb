"""Analysis: event rows from the store, networkx graphs, dyads, centrality, stats."""
