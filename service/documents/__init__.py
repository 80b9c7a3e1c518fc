"""Documents as received: ingestion, their originals and the extraction jobs run on them."""
