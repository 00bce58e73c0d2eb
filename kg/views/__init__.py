"""Views: self-contained interactive HTML pages (the graph view and the map)."""
