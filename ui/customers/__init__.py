"""Customer page parts: the 360 sections, entry forms, the grid."""
