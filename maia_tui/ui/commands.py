"""Command palette (Ctrl+P): "Go to runner …" for every runner the list knows."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from maia_tui.ui.status import status_text

if TYPE_CHECKING:
    from maia_tui.ui.app import MaiaApp

MAX_HITS = 50
DISCOVERY_HITS = 10


class RunnerCommands(Provider):
    """Offers "Go to runner <name>"; a plain substring pre-filter keeps 5,000 runners fast."""

    @property
    def maia_app(self) -> MaiaApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        runners = sorted(self.maia_app.known_runners(), key=lambda r: r.name.lower())
        for runner in runners[:DISCOVERY_HITS]:
            yield DiscoveryHit(
                f"Go to runner {runner.name}",
                partial(self.maia_app.go_to_runner, runner.id),
                help=f"{status_text(runner)} · {runner.platform.label}",
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        words = [w for w in query.lower().split() if w not in {"go", "to", "runner"}]
        found = 0
        for runner in self.maia_app.known_runners():
            name = runner.name.lower()
            if words and not any(w in name for w in words):
                continue
            text = f"Go to runner {runner.name}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(text),
                    partial(self.maia_app.go_to_runner, runner.id),
                    help=f"{status_text(runner)} · {runner.platform.label}",
                )
                found += 1
                if found >= MAX_HITS:
                    return
