"""--limit: Ansible's host patterns over leap-tui's hosts, with tag:/service:/env: terms."""

from __future__ import annotations

import pytest

from tui.core.hosts.patterns import HostFacts, LimitError, select, split_pattern

HOSTS = [
    HostFacts("web1", frozenset({"web", "prod"}), frozenset({"production"}),
              frozenset({"webapp"}), "production"),
    HostFacts("web2", frozenset({"web", "staging"}), frozenset({"staging"}),
              frozenset({"webapp"}), "staging"),
    HostFacts("vpn1", frozenset({"prod"}), frozenset({"production"}), frozenset({"openvpn"}),
              "production"),
    HostFacts("db1.example.org", frozenset({"db", "prod"})),
    HostFacts("mail"),
]


def names(pattern: str) -> list[str]:
    return select(pattern, HOSTS).names


@pytest.mark.parametrize(("pattern", "expected"), [
    ("all", ["web1", "web2", "vpn1", "db1.example.org", "mail"]),
    ("*", ["web1", "web2", "vpn1", "db1.example.org", "mail"]),
    ("web*", ["web1", "web2"]),
    ("web", ["web1", "web2"]),
    ("web:db", ["web1", "web2", "db1.example.org"]),
    ("web,db", ["web1", "web2", "db1.example.org"]),
    ("prod:!web", ["vpn1", "db1.example.org"]),
    ("web:&prod", ["web1"]),
    ("tag:production", ["web1", "vpn1"]),
    ("service:openvpn", ["vpn1"]),
    ("service:web*", ["web1", "web2"]),
    ("env:staging", ["web2"]),
    ("prod:!tag:production", ["db1.example.org"]),
    ("tag:production:&service:webapp", ["web1"]),
    ("!web", ["vpn1", "db1.example.org", "mail"]),
    ("ungrouped", ["mail"]),
    ("*.example.org", ["db1.example.org"]),
    ("~(web|vpn)1", ["web1", "vpn1"]),
    ("web[0]", ["web1"]),
    ("web[-1]", ["web2"]),
    ("prod[0:1]", ["web1", "vpn1"]),
    ("prod[1:]", ["vpn1", "db1.example.org"]),
    ("mail", ["mail"]),
])
def test_patterns_select_as_ansible_documents(pattern: str, expected: list[str]) -> None:
    assert names(pattern) == expected


def test_unions_then_intersections_then_exclusions_whatever_the_order() -> None:
    assert names("&prod:web:!vpn1") == names("web:&prod:!vpn1") == ["web1"]
    assert names("!web1:prod:&tag:production") == ["vpn1"]


def test_a_pattern_that_selects_nothing_says_so() -> None:
    with pytest.raises(LimitError, match=r"--limit 'nosuch\*' selects no host \(of 5\); "
                                         r"nothing matches 'nosuch\*'"):
        select("nosuch*", HOSTS)
    with pytest.raises(LimitError, match="selects no host"):
        select("web:&db", HOSTS)  # each term matches, the result is empty


def test_terms_that_match_nothing_are_reported_beside_a_result() -> None:
    picked = select("web1:typo", HOSTS)
    assert picked.names == ["web1"] and picked.unmatched == ["typo"]


@pytest.mark.parametrize("pattern", ["", " , ", "!", "tag:", "~(unclosed"])
def test_unusable_patterns_are_errors(pattern: str) -> None:
    with pytest.raises(LimitError):
        select(pattern, HOSTS)


def test_colons_inside_subscripts_and_fact_terms_do_not_split() -> None:
    assert split_pattern("web[0:2]:!tag:staging:&service:webapp") == [
        "web[0:2]", "!tag:staging", "&service:webapp"]
