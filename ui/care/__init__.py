"""Care page parts."""
