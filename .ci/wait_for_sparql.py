"""Wait until every SPARQL endpoint given on the command line answers ASK {}."""

import sys
import time
import urllib.parse
import urllib.request

DATA = urllib.parse.urlencode({"query": "ASK {}"}).encode()

for url in sys.argv[1:]:
    for _ in range(120):
        try:
            urllib.request.urlopen(url, DATA, timeout=2).read()
            break
        except OSError:
            time.sleep(0.5)
    else:
        sys.exit(f"no SPARQL server answers at {url} after 60 s")
