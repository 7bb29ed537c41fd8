package io.switchboard.server.config;

import java.nio.file.Path;

/**
 * How the traffic on the node's port is protected: TLS on the port itself (WSS and HTTPS from PEM files), or a
 * TLS proxy in front that the operator vouches for, or neither, which {@link ServerConfig#checkCombinations()}
 * allows only on a loopback bind.
 *
 * <p>Checked when built: the certificate and the key are given together or not at all, else
 * {@link InvalidConfigException} names the one that is missing its partner.
 *
 * @param cert        the PEM certificate chain, or null for plain WS/HTTP
 * @param key         the PEM private key (PKCS#8) matching {@code cert}; null exactly when {@code cert} is
 * @param behindProxy the operator says a TLS proxy sits in front ({@code behind-tls-proxy}), so a non-loopback
 *                    bind without TLS is intended
 */
public record TlsConfig(Path cert, Path key, boolean behindProxy) {

    /** Plain WS/HTTP, and no proxy in front claimed. */
    public static final TlsConfig NONE = new TlsConfig(null, null, false);

    public TlsConfig {
        if ((cert == null) != (key == null)) {
            throw new InvalidConfigException(cert == null ? "tls-key" : "tls-cert", "needs "
                    + (cert == null ? "--tls-cert" : "--tls-key") + " too: they go together");
        }
    }

    /** True when the node itself speaks TLS on its port. */
    public boolean enabled() {
        return cert != null;
    }

    /** Both files, or neither (null) for plain WS/HTTP; {@link #behindProxy()} stays. */
    public TlsConfig withFiles(Path cert, Path key) {
        return new TlsConfig(cert, key, behindProxy);
    }

    public TlsConfig withBehindProxy(boolean behindProxy) {
        return new TlsConfig(cert, key, behindProxy);
    }
}
