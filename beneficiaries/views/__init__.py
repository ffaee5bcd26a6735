"""The counsellor's workspace: worklist, list of people, a person's page, entering a wave.

Counsellors and directors of the organisation only; every other user, including members of
another organisation, gets 404 (organisations.access).

One module per concern: worklist, people (list, a person's page), records (add, edit, exit,
situation), entry (a wave's answers), privacy (access, erasure).
"""
