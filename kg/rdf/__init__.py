"""Map extraction records to RDF: vocabulary, IRIs and graphs."""
