"""A Python probe whose `run` allocates memory without end."""

import wit_world
from wit_world.imports.types import Descriptor, Needs, ReportRef


class WitWorld(wit_world.WitWorld):
    def describe(self) -> Descriptor:
        return Descriptor(
            id="guest-python-hog",
            title="allocates without end",
            version="0.1.0",
            section="test guest",
            symptoms=["pods-down"],
            causes=[ReportRef(symptom="pods-down", cause="oom-killed")],
            needs=Needs(kinds=[], capabilities=[]),
        )

    def run(self, profile):
        blocks = []
        while True:
            # bytearray fills its memory with zeros, so every page is really grown.
            blocks.append(bytearray(8 << 20))
