"""What each rule enforces: the seed page's sentence, quoted verbatim, or the source it
comes from where the pages say nothing (docs/rules.md prints both; a test keeps every
quote a verbatim sentence of its page)."""

from __future__ import annotations

from dataclasses import dataclass

CLACE_PAGE = "Clace Networking page"
LEAP_PAGE = "LEAP Ports page"
SOURCE = "source"


@dataclass(frozen=True, slots=True)
class RuleSource:
    """``kind`` is a page (then ``text`` is a sentence of it, verbatim) or SOURCE."""

    kind: str
    text: str

    def markdown(self) -> str:
        if self.kind == SOURCE:
            return f"source: {self.text}"
        return f'{self.kind}: "{self.text}"'


def _clace(text: str) -> RuleSource:
    return RuleSource(CLACE_PAGE, text)


def _leap(text: str) -> RuleSource:
    return RuleSource(LEAP_PAGE, text)


def _source(text: str) -> RuleSource:
    return RuleSource(SOURCE, text)


_PRIVILEGED = "On Linux, binding to low ports is disabled for non-root users."
_PORT_0 = "If port 0 is used, the service will bind to any available port."
_LOOKUP = (
    "During the first HTTPS request, `$CL_HOME/config/certificates` is looked up for a crt and "
    "key file in the PEM format matching the domain name as passed to the server."
)
_EXAMPLE = (
    "For example, if a file example.crt and example.key are found in te certificates folder, "
    "those are used for example.com domain."
)
_WITH_EMAIL = (
    "With this config, the certificates folder is looked up for any custom certificates for "
    "the domain."
)
_LOOKUP_OFF = (
    "If enable_cert_lookup is false, and service_email also is unset (certmagic is disabled), "
    "then the `default.crt` certificate is used for all requests."
)
_SELF_SIGNED = (
    "If default certificate is not found, and Lets Encrypt based certificate creation is "
    "disabled (the default), then a self-signed certificate is auto created in the "
    "certificates folder."
)
_NOT_CONFIGURABLE = "This is not configurable."
_STUNNEL = (
    "These port numbers are automatically generated, but will fall somewhere in the "
    "specified range."
)
_SSH = (
    "It is important that this port is never blocked, or you will lose access to deploy to "
    "this node."
)
_GATEWAY = (
    "Note that these ports must be open for openvpn.gateway_address, not for ip_address."
)
_APPLY = "the brief: apply with one key, roll back with one key, never locked out"

RULE_SOURCES: dict[str, RuleSource] = {
    "CL000": _source("Clace reads its file with BurntSushi/toml, a TOML 1.0 parser: a file it "
                     "cannot parse stops the server"),
    "CL001": _clace("Port 0 means bind to any available port."),
    "CL002": _clace(_PRIVILEGED),
    "CL003": _clace(_PORT_0),
    "CL004": _clace("Port -1 means disable HTTP access."),
    "CL005": _clace("Port -1 means disable HTTPS access."),
    "CL006": _source("the server listens on host:port for each of HTTP and HTTPS; a second "
                     "listener on a socket in use fails to start"),
    "CL007": _clace("This means the HTTP port can be accessed from the same machine, it cannot "
                    "be accessed remotely."),
    "CL008": _clace("The https config is using 443 as the port number."),
    "CL009": _clace("Please provide a valid email address in service_email."),
    "CL010": _clace("Start the configuration with staging `use_staging = true`, change to "
                    "production config `use_staging = false` after ensuring that DNS and "
                    "networking is working fine."),
    "CL011": _clace("Port 443 is reachable from the public internet."),
    "CL012": _clace(_LOOKUP_OFF),
    "CL013": _clace("Use host as `0.0.0.0` to bind to all available interfaces."),
    "CL014": _source("the server decodes [http] and [https] into fixed structs; BurntSushi/toml "
                     "ignores keys it does not know"),
    "CL015": _source("BurntSushi/toml refuses a value of another type than the field's: the "
                     "server does not start"),
    "CL016": _clace(_WITH_EMAIL),
    "CL017": _source("redirect_to_https (clace.default.toml of later versions) sends HTTP "
                     "clients to the HTTPS port"),
    "CL018": _clace('service_email = "MY_EMAIL@example.com" # CHANGE to your email address'),
    "CL019": _source("the server reads [http] and [https] by name; a misspelled section is "
                     "ignored"),
    "CL020": _source("a setting is read from its own section only"),
    "CL021": _clace(_LOOKUP),
    "LP000": _source("leap_cli reads each file with json_pure after dropping // comment lines "
                     "(Config::Manager#load_json)"),
    "LP001": _leap("This can be changed via the configuration property soledad.port."),
    "LP002": _source("two services cannot bind one address and port"),
    "LP003": _leap(_STUNNEL),
    "LP004": _leap(_SSH),
    "LP005": _leap(_GATEWAY),
    "LP006": _leap(_NOT_CONFIGURABLE),
    "LP007": _source("leap compile refuses two nodes with one ip_address"),
    "LP008": _source("leap_cli: 'the service \"%s\" does not exist' (Config::Manager)"),
    "LP009": _source("leap_platform writes ip_address and gateway_address into firewall rules"),
    "LP010": _source("leap_cli's deep_merge! stops on values of different types"),
    "LP011": _leap(_STUNNEL),
    "LP012": _source("leap_platform's soledad.rb and monitor.rb refuse the service alone"),
    "LP013": _source("leap_cli requires provider.json and every REQUIRED value"),
    "LP014": _leap("You can modify this using the configuration property ssh.port."),
    "LP015": _source("provider_base/common.json: ssh.mosh.ports 60000:61000"),
    "LP016": _source("leap compile evaluates \"= ...\" values"),
    "LP017": _source("json_pure keeps the last value of a key given twice"),
    "LP018": _source("leap_cli: 'Illegal character(s) used in node name' (Config::Manager)"),
    "LP019": _source("leap compile keeps every key as written (json_pure); the properties "
                     "known are provider_base's and the Ports page's"),
    "CE001": _source("the server loads the pair with tls.LoadX509KeyPair, which refuses a key "
                     "of another certificate"),
    "CE002": _source("TLS clients refuse a certificate outside its validity"),
    "CE003": _clace(_EXAMPLE),
    "CE004": _clace(_LOOKUP),
    "CE005": _source("a private key readable by others can be copied"),
    "CE006": _clace(_LOOKUP),
    "CE007": _clace(_SELF_SIGNED),
    "CE008": _clace(_SELF_SIGNED),
    "CE009": _source("the server's generated certificate has no SAN and is never renewed "
                     "(internal/server/cert.go)"),
    "CE010": _clace(_WITH_EMAIL),
    "CE011": _clace(_EXAMPLE),
    "CE012": _clace(_LOOKUP_OFF),
    "CE013": _source("the server picks a file by the requested name, not by the names the "
                     "certificate holds"),
}
RULE_SOURCES.update({
    code: _source("OpenSSH's StrictHostKeyChecking: a host key is never trusted silently")
    for code in ("AP001", "AP002")
})
RULE_SOURCES["AP014"] = _source("ssh_config(5): an option that changes where or how ssh connects "
                                "is honoured as ssh would, or refused by name")
RULE_SOURCES.update({
    code: _source(_APPLY) for code in (
        "AP003", "AP004", "AP005", "AP006", "AP007", "AP008", "AP009",
        "AP010", "AP012", "AP013", "AP015", "AP016", "AP017", "AP018",
    )
})
RULE_SOURCES.update({
    code: _source("the host as the apply finds it before swapping: a change the host cannot "
                  "serve is stopped before it is made")
    for code in ("PF001", "PF003", "PF004", "PF005", "PF006", "PF007")
})
RULE_SOURCES["PF002"] = _clace(_PRIVILEGED)
