"""(being written)"""

from service.guideline.model import Rule

RULES: tuple[Rule, ...] = ()
