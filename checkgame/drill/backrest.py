"""pgBackRest for a cluster: its configuration (a local repository and an S3 one), and a local S3 server.

Repository 1 is a directory (7 days of full backups kept), repository 2 a bucket on S3-compatible
storage (30 days); WAL is archived to both by ``archive_command``. The drill and the tests run
the S3 side on moto's server (``moto_server``, from the test extra) behind nginx for TLS, with a
certificate made on the spot: pgBackRest speaks only HTTPS to S3 (and is told not to verify this
one), and moto's own TLS (Werkzeug's) ends connections without a TLS close, which pgBackRest's
OpenSSL 3 reports as "unexpected eof while reading".
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checkgame.drill.pg import PgCluster, free_port

__all__ = ["STANZA", "LocalS3", "S3Repo", "archive_settings", "write_config"]

STANZA = "checkgame"


@dataclass(frozen=True)
class S3Repo:
    """Where repository 2 lives."""

    endpoint: str
    """host or host:port, HTTPS."""
    bucket: str
    key: str
    secret: str
    region: str = "us-east-1"
    verify_tls: bool = True


def write_config(path: Path, cluster: PgCluster, repo_dir: Path, s3: S3Repo, *, process_max: int = 2) -> Path:
    """pgbackrest.conf for ``cluster``: retention 7 days on ``repo_dir``, 30 days on ``s3``."""
    host, _, port = s3.endpoint.partition(":")
    lines = [
        "[global]",
        f"repo1-path={repo_dir}",
        "repo1-retention-full-type=time",
        "repo1-retention-full=7",
        "repo2-type=s3",
        "repo2-path=/pgbackrest",
        f"repo2-s3-endpoint={host}",
        *([f"repo2-storage-port={port}"] if port else []),
        f"repo2-s3-bucket={s3.bucket}",
        f"repo2-s3-region={s3.region}",
        f"repo2-s3-key={s3.key}",
        f"repo2-s3-key-secret={s3.secret}",
        "repo2-s3-uri-style=path",
        f"repo2-storage-verify-tls={'y' if s3.verify_tls else 'n'}",
        "repo2-retention-full-type=time",
        "repo2-retention-full=30",
        f"process-max={process_max}",
        "start-fast=y",
        "compress-type=lz4",
        f"lock-path={path.parent / 'lock'}",
        f"log-path={path.parent / 'log'}",
        "log-level-console=warn",
        "log-level-file=info",
        "",
        f"[{STANZA}]",
        f"pg1-path={cluster.data}",
        f"pg1-port={cluster.port}",
        f"pg1-socket-path={cluster.root}",
        "pg1-user=postgres",
        "",
    ]
    path.write_text("\n".join(lines))
    path.chmod(0o644)
    return path


def archive_settings(config: Path, *, archive_timeout_s: int) -> dict[str, str]:
    """Server settings that archive every WAL segment with pgBackRest, at least every ``archive_timeout_s``."""
    return {
        "archive_mode": "on",
        "archive_command": f"pgbackrest --config={config} --stanza={STANZA} archive-push %p",
        "archive_timeout": str(archive_timeout_s),
        "wal_level": "replica",
    }


@dataclass
class LocalS3:
    """moto's S3 server on 127.0.0.1 over HTTPS (a self-signed certificate), with one bucket."""

    root: Path
    bucket: str = "checkgame-backups"
    port: int = 0
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def repo(self) -> S3Repo:
        return S3Repo(f"127.0.0.1:{self.port}", self.bucket, "drill", "drill-secret", verify_tls=False)

    def start(self) -> LocalS3:
        beside = Path(sys.executable).with_name("moto_server")  # this environment's, before any other on PATH
        server = str(beside) if beside.exists() else shutil.which("moto_server") or str(beside)
        if not Path(server).exists():
            raise RuntimeError("moto_server is not installed (pip install 'moto[server]', in the test extra)")
        self.port = self.port or free_port()
        plain = free_port()
        cert, key = self.root / "s3.crt", self.root / "s3.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        tls = self.root / "s3-tls"
        tls.mkdir(exist_ok=True)
        (tls / "nginx.conf").write_text(
            f"daemon off;\npid {tls}/nginx.pid;\nerror_log {tls}/error.log;\nevents {{}}\nhttp {{\n"
            f"  access_log off; client_body_temp_path {tls}/body; proxy_temp_path {tls}/proxy;\n"
            f"  fastcgi_temp_path {tls}/f; uwsgi_temp_path {tls}/u; scgi_temp_path {tls}/s;\n"
            f"  server {{ listen 127.0.0.1:{self.port} ssl; ssl_certificate {cert}; ssl_certificate_key {key};\n"
            "    client_max_body_size 0; proxy_request_buffering off;\n"
            f"    location / {{ proxy_pass http://127.0.0.1:{plain}; proxy_http_version 1.1;\n"
            '      proxy_set_header Host $http_host; proxy_set_header Connection ""; } }\n}\n'
        )
        with (self.root / "s3.log").open("wb") as log:
            self.processes.append(
                subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(plain)], stdout=log, stderr=subprocess.STDOUT)
            )
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            self.processes.append(subprocess.Popen([nginx, "-c", str(tls / "nginx.conf")], stdout=log, stderr=log))
        try:
            self._create_bucket(cert)
        except BaseException:
            self.stop()
            raise
        return self

    def _create_bucket(self, cert: Path) -> None:
        """PUT the bucket once the server answers (a 30 s ceiling); moto accepts any credentials."""
        import ssl
        import time

        import httpx

        trusted = ssl.create_default_context(cafile=str(cert))
        deadline = time.monotonic() + 30
        while True:
            try:
                created = httpx.put(f"https://127.0.0.1:{self.port}/{self.bucket}", verify=trusted, timeout=5)
                created.raise_for_status()
                return
            except (httpx.TransportError, httpx.HTTPStatusError):  # 502 until moto listens
                if any(process.poll() is not None for process in self.processes):
                    raise RuntimeError(f"the S3 server exited: {(self.root / 's3.log').read_text()[-2000:]}") from None
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
