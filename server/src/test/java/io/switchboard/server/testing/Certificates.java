package io.switchboard.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.testing.Tools;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Certificates for tests of TLS, made by the openssl command. */
public final class Certificates {

    private Certificates() {
    }

    /** A self-signed P-256 certificate for 127.0.0.1 and localhost in {@code dir}: its file and its key's. */
    public static Path[] selfSigned(Path dir, String name) throws Exception {
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Process p = new ProcessBuilder(Tools.path("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=" + name,
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return new Path[] {cert, key};
    }
}
