"""A Python probe whose `run` never ends."""

import wit_world
from wit_world.imports.types import Descriptor, Needs, ReportRef


class WitWorld(wit_world.WitWorld):
    def describe(self) -> Descriptor:
        return Descriptor(
            id="guest-python-spin",
            title="loops forever",
            version="0.1.0",
            section="test guest",
            symptoms=["pods-down"],
            causes=[ReportRef(symptom="pods-down", cause="crash-loop")],
            needs=Needs(kinds=[], capabilities=[]),
        )

    def run(self, profile):
        counter = 0
        while True:
            counter += 1
