"""Clace's certificate directory: the pairs with days left, the findings, what a domain gets."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from tui.core.certs import (
    EXPIRY_WARNING_DAYS,
    CertDir,
    CertSettings,
    PairExistsError,
    check_cert_dir,
    create_self_signed,
    inspect_dir,
    resolve,
)
from tui.core.errors import ConfigError
from tui.core.findings import Finding
from widgets.ordered_input import OrderedInput
from widgets.prompt import PromptDialog
from widgets.tones import TONES


def days_left_text(days: int, days_ago: int = 0) -> Text:
    """Days left, coloured, and worded so that colour is never the only signal; once
    expired (``days`` < 0), ``days_ago`` tells since when."""
    if days < 0:
        when = f"{days_ago}d ago" if days_ago > 0 else "today"
        return Text(f"✖ expired {when}", style=TONES.bad)
    if days < EXPIRY_WARNING_DAYS:  # the CE002 warning's own threshold: colour and finding agree
        return Text(f"▲ {days}d", style=TONES.warn)
    return Text(f"{days}d", style=TONES.good)


def key_state(matches: bool | None, problem: str | None) -> Text:
    if problem is not None:
        return Text(f"✖ {problem}", style=TONES.bad)
    if matches:
        return Text("✔ matches", style=TONES.good)
    return Text("-")


class CertificatesPanel(Vertical):
    DEFAULT_CSS = """
    CertificatesPanel { height: auto; padding: 0 1; }
    CertificatesPanel DataTable { height: auto; max-height: 10; }
    CertificatesPanel #cert-domain { height: 1; }
    CertificatesPanel .cert-text { height: auto; }
    """

    def __init__(self, settings: CertSettings) -> None:
        super().__init__(id="certificates")
        self.settings = settings
        self.cert_dir: CertDir | None = None
        self.findings: list[Finding] = []

    def compose(self) -> ComposeResult:
        mode = (
            "automatic certificates (service_email set): these files are not used"
            if self.settings.uses_certmagic
            else f"lookup {'on' if self.settings.enable_cert_lookup else 'off'}"
        )
        yield Static(f"{self.settings.cert_dir}  ({mode})", id="cert-dir", markup=False)
        yield DataTable(id="cert-pairs", cursor_type="row")
        yield OrderedInput(placeholder="domain to resolve, Enter (blank: a client without SNI)",
                    id="cert-domain", compact=True)
        yield Static("", id="cert-resolution", classes="cert-text", markup=False)
        yield Static("", id="cert-findings", classes="cert-text")

    def on_mount(self) -> None:
        table = self.query_one("#cert-pairs", DataTable)
        table.add_columns("name", "covers", "issuer", "days left", "key")
        self.action_reload()

    def action_reload(self) -> None:
        self.query_one("#cert-pairs", DataTable).loading = True
        self.inspect()

    @work(thread=True, exclusive=True, group="certificates")
    def inspect(self) -> None:
        """Reading and parsing PEM files is I/O and crypto: off the UI thread."""
        try:
            cert_dir = inspect_dir(self.settings.cert_dir)
        except ConfigError as error:
            self.app.call_from_thread(self._show_error, str(error))
            return
        findings = check_cert_dir(
            cert_dir,
            now=datetime.now(UTC),
            enable_cert_lookup=self.settings.enable_cert_lookup,
            service_email=self.settings.service_email,
        )
        self.app.call_from_thread(self._show, cert_dir, findings)

    def _show_error(self, message: str) -> None:
        table = self.query_one("#cert-pairs", DataTable)
        table.loading = False
        table.clear()
        table.can_focus = False  # an empty table is no place to stop on Tab
        self.query_one("#cert-findings", Static).update(Text(message, style=TONES.bad))

    def _show(self, cert_dir: CertDir, findings: list[Finding]) -> None:
        self.cert_dir = cert_dir
        self.findings = findings
        table = self.query_one("#cert-pairs", DataTable)
        table.loading = False
        table.clear()
        now = datetime.now(UTC)
        table.can_focus = bool(cert_dir.pairs)  # an empty table is no place to stop on Tab
        for pair in cert_dir.pairs:
            info = pair.cert
            covers = ", ".join(info.sans) if info and info.sans else "(no SAN)"
            issuer = ("self-signed" if info.self_signed else info.issuer) if info else "-"
            days: Text | str = (days_left_text(info.days_left(now), info.days_since_expiry(now))
                                if info else "-")
            key = key_state(pair.key_matches, pair.problem)
            table.add_row(pair.name, covers, issuer, days, key)
        lines = Text()
        for finding in findings:
            lines.append(f"{finding.severity.icon} {finding.code} ",
                         style=TONES.severity(finding.severity))
            lines.append(f"{finding.message}")
            if finding.hint:
                lines.append(f" ({finding.hint})", style="dim")
            lines.append("\n")
        if not findings:
            lines.append("No certificate findings.")
        self.query_one("#cert-findings", Static).update(lines)
        self.resolve_domain(self.query_one("#cert-domain", Input).value)

    @on(Input.Submitted, "#cert-domain")
    def domain_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.resolve_domain(event.value)

    def resolve_domain(self, domain: str) -> None:
        if self.cert_dir is None:
            return
        answer = resolve(
            self.cert_dir,
            domain.strip(),
            enable_cert_lookup=self.settings.enable_cert_lookup,
            service_email=self.settings.service_email,
        )
        who = domain.strip() or "a client without SNI"
        self.query_one("#cert-resolution", Static).update(f"{who}: {answer.format_text()}")

    def action_new_pair(self) -> None:
        def chosen(answer: tuple[str, bool] | None) -> None:
            if answer is not None:
                self.create(answer[0], answer[1])

        self.app.push_screen(
            PromptDialog(
                f"New self-signed pair in {self.settings.cert_dir} "
                "(a domain, or 'default' for default.crt):",
                placeholder="example.com",
                option="also *.domain (wildcard)",
            ),
            chosen,
        )

    @work(thread=True, exclusive=True, group="certificates")
    def create(self, name: str, wildcard: bool) -> None:
        try:
            created = create_self_signed(self.settings.cert_dir, name, wildcard=wildcard)
        except PairExistsError as error:
            self.app.call_from_thread(
                self.notify, f"{error} (leap-tui certs new {name} --force replaces it)",
                severity="error",
            )
            return
        except (ConfigError, OSError, ValueError) as error:
            self.app.call_from_thread(self.notify, f"Not created: {error}", severity="error")
            return
        self.app.call_from_thread(self.notify, f"Created {created.crt_path} and {created.key_path}")
        self.app.call_from_thread(self.action_reload)
