"""Shown when no Maia API credential is configured: what to set, where, and the demo to try meanwhile."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Markdown

from maia_tui.ui.widgets.app_header import AppHeader

if TYPE_CHECKING:
    from maia_tui.ui.app import MaiaApp

GUIDE = """\
# Connect maia-tui to your Maia account

maia-tui talks to the Maia API with an **API credential** whose role can *Manage runners*
(Super Admin or Admin). Create one in Maia under **Profile & Account → API credentials**.

**Either** set these in the environment:

```sh
export MAIA_CLIENT_ID=...      # the API credential
export MAIA_CLIENT_SECRET=...  # and its secret
export MAIA_REGION=eu1         # or us1: your account's
```

**or** put them in the config file `{config}`:

```yaml
maia:
  region: eu1
  client_id: ...
  client_secret: ...
```

Then start `maia-tui` again. Cloud access (AWS, Azure, GKE, Snowflake) comes from each
platform's usual configuration on this host; maia-tui stores nothing else.

**No account at hand?** Press **d** for the demo: a sandbox with simulated runners on this machine.
"""


class FirstRunScreen(Screen[None]):
    """A friendly start instead of a traceback when the credential is missing."""

    app: MaiaApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Start the demo"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield AppHeader("Welcome")
        with VerticalScroll(id="first-run-body"):
            yield Markdown(GUIDE.format(config=self.app.settings.config_path))
        with Horizontal(classes="action-bar"):
            yield Button("Start the demo", id="demo", variant="primary", compact=True)
            yield Button("Quit", id="quit", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#demo", Button).focus()

    @on(Button.Pressed, "#demo")
    def action_demo(self) -> None:
        self.app.request_demo()

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.app.exit()
