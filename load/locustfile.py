"""Load test: counsellors and directors using the app at once (make load).

Counsellors open their worklist, the list of people, a person's page and an entry page;
directors open the impact dashboard. Every user logs in through the login page first.
"""

import os
import random
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "vises-demo")
ORG = os.environ.get("LOAD_ORGANISATION", "demo")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PERSON = re.compile(r'href="(/o/[^"]+/beneficiaires/[0-9a-f-]{36}/)"')
ENTRY = re.compile(r'href="(/o/[^"]+/vagues/\d+/)"')
DASHBOARD = re.compile(r'href="(/o/[^"]+/rapports/[0-9a-f-]{36}/)"')


class Member(HttpUser):
    abstract = True
    # A person reads a page for a few seconds before the next click.
    wait_time = between(2, 6)
    username = ""

    def on_start(self):
        page = self.client.get("/connexion/", name="login page")
        token = CSRF.search(page.text).group(1)
        self.client.post("/connexion/", {"username": self.username, "password": PASSWORD,
                                          "csrfmiddlewaretoken": token},
                         headers={"Referer": self.host + "/connexion/"}, name="login")


class Counsellor(Member):
    weight = 3
    username = f"{ORG}-conseiller"

    @task(3)
    def worklist(self):
        page = self.client.get(f"/o/{ORG}/a-faire/", name="worklist")
        entries = ENTRY.findall(page.text)
        if entries:
            self.client.get(random.choice(entries), name="entry page")

    @task(2)
    def people(self):
        page = self.client.get(f"/o/{ORG}/beneficiaires/?page={random.randint(1, 3)}",
                               name="beneficiary list")
        people = PERSON.findall(page.text)
        if people:
            self.client.get(random.choice(people), name="beneficiary page")


class Director(Member):
    weight = 1
    username = f"{ORG}-direction"

    @task
    def dashboard(self):
        page = self.client.get(f"/o/{ORG}/rapports/", name="dashboards")
        dashboards = DASHBOARD.findall(page.text)
        if dashboards:
            self.client.get(dashboards[0], name="dashboard")
