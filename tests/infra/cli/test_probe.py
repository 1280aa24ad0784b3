"""`quotepipe probe` against the simulated market only: healthy, picky, and refusing all."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.cli.main import main
from infra.local.yahoo import ENDPOINTS, MarketServer, SimulatedMarket
from infra.local.yahoo.faults import rate_limit_text, too_many_requests
from infra.local.yahoo.tls import TlsFiles, self_signed

STEPS = ("cookie", "crumb", "quote", "chart")


@pytest.fixture(autouse=True)
def fast_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The probe reads the producer's environment: no stray YAHOO_*, and quick retries."""
    for name in ("YAHOO_BASE_URL", "YAHOO_COOKIE_URL", "YAHOO_CA_BUNDLE", "YAHOO_TRANSPORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("YAHOO_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("YAHOO_BACKOFF_BASE_SECONDS", "0.01")
    monkeypatch.setenv("YAHOO_BACKOFF_MAX_SECONDS", "0.02")
    monkeypatch.setenv("YAHOO_TIMEOUT_SECONDS", "5")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return self_signed(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def picky() -> Iterator[MarketServer]:
    """Yahoo in 2025: 429 for every client without a browser's fingerprint (aiohttp)."""
    with MarketServer(SimulatedMarket(require_browser_fingerprint=True)) as server:
        yield server


Probed = tuple[int, dict[str, str], str, str]


def probe(capsys: pytest.CaptureFixture[str], *argv: str) -> Probed:
    """Run ``quotepipe probe``: exit code, outcomes by "transport step", stdout, stderr."""
    code = main(["probe", *argv])
    out, err = capsys.readouterr()
    outcomes = {}
    for line in out.splitlines():
        cells = line.split()
        if len(cells) >= 4 and cells[1] in STEPS:
            outcomes[f"{cells[0]} {cells[1]}"] = cells[2]
            assert cells[3].isdigit()  # milliseconds
    return code, outcomes, out, err


def verdict(out: str, transport: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"{transport}: "))


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_healthy_market_passes_every_step_on_both_transports(
    capsys: pytest.CaptureFixture[str], tls: TlsFiles, scheme: str
) -> None:
    # GIVEN a healthy market, over HTTPS trusted through --ca-bundle
    market = SimulatedMarket()
    with MarketServer(market, tls=tls if scheme == "https" else None) as server:
        ca = ["--ca-bundle", str(tls.cert)] if scheme == "https" else []
        # WHEN the probe runs through both transports
        code, outcomes, out, err = probe(
            capsys, "--yahoo-url", server.url, "--symbols", "aapl,VOD.L", *ca
        )
    # THEN every step of each is ok, the quote batch carried both symbols, and it exits 0
    assert (code, err) == (0, "")
    assert outcomes == {f"{t} {s}": "ok" for t in ("aiohttp", "curl_cffi") for s in STEPS}
    assert "2 of 2 symbols priced" in out and "AAPL 2" in out
    assert verdict(out, "aiohttp").startswith("aiohttp: ok")
    assert verdict(out, "curl_cffi").startswith("curl_cffi: ok")
    assert {r.symbols for r in market.requests("quote")} == {("AAPL", "VOD.L")}
    assert len(market.requests("chart")) == 2


def test_https_without_the_ca_bundle_fails_the_certificate_check(
    capsys: pytest.CaptureFixture[str], tls: TlsFiles
) -> None:
    with MarketServer(SimulatedMarket(), tls=tls) as server:
        code, outcomes, out, err = probe(
            capsys, "--yahoo-url", server.url, "--transport", "aiohttp"
        )
    assert code == 1 and "no transport" in err
    assert outcomes["aiohttp cookie"] == "connection"
    assert verdict(out, "aiohttp") == "aiohttp: failed at the cookie (connection)"


def test_when_yahoo_refuses_aiohttp_the_verdict_names_curl_cffi(
    capsys: pytest.CaptureFixture[str], picky: MarketServer
) -> None:
    code, outcomes, out, err = probe(capsys, "--yahoo-url", picky.url)
    assert (code, err) == (0, "")
    assert outcomes["aiohttp cookie"] == outcomes["aiohttp crumb"] == "429"
    assert outcomes["aiohttp quote"] == "skipped"  # no crumb to send
    assert all(outcomes[f"curl_cffi {step}"] == "ok" for step in STEPS)
    assert verdict(out, "aiohttp") == "aiohttp: rate-limited at the cookie (429)"
    assert verdict(out, "curl_cffi") == (
        "curl_cffi: ok — set YAHOO_TRANSPORT=curl_cffi or leave auto"
    )


def test_when_yahoo_refuses_everyone_it_exits_1(
    capsys: pytest.CaptureFixture[str], picky: MarketServer
) -> None:
    picky.market.inject(too_many_requests(retry_after=0), on=ENDPOINTS, times=None)
    code, outcomes, out, err = probe(capsys, "--yahoo-url", picky.url)
    assert code == 1
    assert {outcomes[f"{t} chart"] for t in ("aiohttp", "curl_cffi")} == {"429"}
    assert verdict(out, "curl_cffi") == "curl_cffi: rate-limited at the cookie (429)"
    assert err == "quotepipe probe: no transport got through every step\n"


def test_a_crumb_that_reads_too_many_requests_is_a_rate_limit(
    capsys: pytest.CaptureFixture[str], picky: MarketServer
) -> None:
    # GIVEN Yahoo's edge answering the crumb with "Too Many Requests" and a 200, for everyone
    picky.market.inject(rate_limit_text(200), on="crumb", times=None)
    code, outcomes, out, err = probe(capsys, "--yahoo-url", picky.url, "--transport", "curl_cffi")
    # THEN the crumb is a 429, not a token; the chart (no crumb needed) still answers
    assert code == 1 and "no transport" in err
    assert outcomes == {
        "curl_cffi cookie": "ok",
        "curl_cffi crumb": "429",
        "curl_cffi quote": "skipped",
        "curl_cffi chart": "ok",
    }
    assert "aiohttp" not in out
    assert verdict(out, "curl_cffi") == "curl_cffi: rate-limited at the crumb (429)"


def test_nothing_listening_is_a_connection_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as closed:  # a port that was free a moment ago
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    code, outcomes, out, err = probe(capsys, "--yahoo-url", f"http://127.0.0.1:{port}")
    assert code == 1 and "no transport" in err
    assert outcomes["aiohttp cookie"] == outcomes["curl_cffi chart"] == "connection"
    assert verdict(out, "aiohttp") == "aiohttp: failed at the cookie (connection)"


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--symbols", "AAPL,not a symbol"], "--symbols"),
        (["--symbols", ",,"], "--symbols"),
        (["--symbols", ",".join(f"S{i}" for i in range(101))], "--symbols"),
        (["--transport", "requests"], "--transport"),
        (["--yahoo-url", "not a url"], "--yahoo-url"),
        (["--ca-bundle", "/does/not/exist.pem"], "--ca-bundle"),
        (["--ca-bundle", __file__], "--ca-bundle"),
    ],
)
def test_bad_probe_arguments_are_one_line_naming_the_argument(
    capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["probe", *argv])
    captured = capsys.readouterr()
    assert exit_.value.code == 2
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert named in captured.err


def test_a_bad_producer_setting_is_one_line_before_any_request(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, picky: MarketServer
) -> None:
    monkeypatch.setenv("YAHOO_BATCH_SIZE", "many")
    assert main(["probe", "--yahoo-url", picky.url]) == 2
    assert "YAHOO_BATCH_SIZE" in capsys.readouterr().err
    assert picky.market.requests() == ()
