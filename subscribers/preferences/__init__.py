"""The subscriber's own pages: a signed link, their lists and details, a new number."""
