"""Questionnaires in the browser: the builder, the responses upload and the exports.

Managers and directors build questionnaires, upload responses and export them
(pseudonymous codes only); board members download aggregate tables; counsellors and other
organisations' users get 404 everywhere.

One module per concern: definitions (the list, create, import, download, history),
builder, uploads (responses from a spreadsheet), exports; common holds what they share.
"""
