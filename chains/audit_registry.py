"""Which chain-analysis models keep a change history (django-auditlog).

The worksheet, its links (with the skills picked for each) and the comments are
recorded: a chain is clinical material the patient and the care team discuss.
"""

from auditlog.registry import auditlog

from chains.models import ChainAnalysis, ChainLink, LinkComment

auditlog.register(ChainAnalysis)
auditlog.register(ChainLink, m2m_fields={"skills"})
auditlog.register(LinkComment)
