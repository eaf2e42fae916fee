"""What segmentation adds through the capability registry: nothing yet (its page reads its own
queries; it has no import kind and no Home page figure)."""
from __future__ import annotations

from crm_core.capabilities import Capability

CAPABILITY = Capability("segmentation")
