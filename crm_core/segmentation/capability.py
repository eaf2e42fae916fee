"""What segmentation adds through the capability registry: each customer's current ABC class for
the Customers list (its page reads its own queries; it has no import kind and no Home page figure)."""
from __future__ import annotations

from crm_core.capabilities import Capability
from crm_core.segmentation.views import current_classes

CAPABILITY = Capability("segmentation", customer_classes=current_classes)
