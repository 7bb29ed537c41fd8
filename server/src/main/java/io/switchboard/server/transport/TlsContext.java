package io.switchboard.server.transport;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's TLS setup: a certificate chain and key from PEM files, TLS 1.3 and 1.2 with AEAD suites
 * only, OpenSSL (BoringSSL) when its native library loads and the JDK's provider otherwise. The
 * context can be reloaded while the node runs (on SIGHUP, or when the files change): connections
 * opened after a reload get the new certificate, open ones keep theirs.
 */
public final class TlsContext {

    private static final Logger log = LoggerFactory.getLogger(TlsContext.class);

    /** TLS 1.3 suites, then ECDHE suites with AES-GCM or ChaCha20-Poly1305 for TLS 1.2. */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private final Path cert;
    private final Path key;
    private final SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    private final AtomicReference<SslContext> current = new AtomicReference<>();
    // Modification times the current context was built from; read and written by reloadIfChanged's caller.
    private volatile FileTime certTime;
    private volatile FileTime keyTime;

    public TlsContext(Path cert, Path key) throws SSLException {
        this.cert = cert;
        this.key = key;
        // Times first: a file replaced while building is then seen as changed, not as loaded.
        certTime = mtime(cert);
        keyTime = mtime(key);
        current.set(build());
    }

    SslContext current() {
        return current.get();
    }

    public String providerName() {
        return provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    /** Rebuilds the context from the files; keeps the old one (and says why) if they do not load. */
    public synchronized boolean reload() {
        try {
            FileTime c = mtime(cert);
            FileTime k = mtime(key);
            current.set(build());
            certTime = c;
            keyTime = k;
            log.info("TLS certificate reloaded from {}", cert);
            return true;
        } catch (SSLException | RuntimeException e) {
            log.error("TLS certificate reload failed, keeping the current one: {}", e.getMessage());
            return false;
        }
    }

    /** Reloads when either file's modification time changed since the last load. */
    void reloadIfChanged() {
        FileTime c = mtime(cert);
        FileTime k = mtime(key);
        if (c != null && k != null && (!c.equals(certTime) || !k.equals(keyTime))) {
            reload();
        }
    }

    private SslContext build() throws SSLException {
        return SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .sslProvider(provider)
                .protocols("TLSv1.3", "TLSv1.2")
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .build();
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return null;
        }
    }
}
