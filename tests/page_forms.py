"""Reading a page's form as a browser would submit it, for tests that open then save."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_index: int):
        super().__init__()
        self.values: dict[str, str] = {}
        self.form_index, self._form, self._select, self._textarea = form_index, -1, None, None
        self._inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form += 1
            self._inside = self._form == self.form_index
        if not self._inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button"):
                self.values[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # As browsers do: one newline right after <textarea> is not part of the value.
            value = self.values[self._textarea]
            self.values[self._textarea] = value[1:] if value.startswith("\n") else value
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html: str, *, form_index: int = 1) -> dict[str, str]:
    """The fields of the page's ``form_index``-th form (0 is the navigation's log-out form)."""
    reader = _FormReader(form_index)
    reader.feed(html)
    return reader.values


def signed_in(membership):
    """A browser of its own, signed in as the membership's user (two colleagues, two clients)."""
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


def opened(client, url) -> dict:
    """The values the page's form would send as it was when opened."""
    return form_values(client.get(url).content.decode())


def opened_then_saved_meanwhile(mine, theirs, url, changes: dict):
    """``mine`` opens the form at ``url``; meanwhile ``theirs`` saves it with ``changes``.

    Returns mine's browser and the form's values as mine opened it, now stale.
    """
    me, them = signed_in(mine), signed_in(theirs)
    stale = opened(me, url)
    them.post(url, {**opened(them, url), **changes})
    return me, stale
