package io.switchboard.server.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the public keys of {@code --jwt-public-key}: a file (or the PEM text itself) holding one or more
 * {@code PUBLIC KEY} (SubjectPublicKeyInfo) or {@code CERTIFICATE} blocks. Private keys are refused, so
 * that a node is never handed more than it needs.
 */
final class PemKeys {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final String[] KEY_TYPES = {"RSA", "EC", "Ed25519"};

    private PemKeys() {
    }

    /**
     * @param fileOrPem a file name, or PEM text (anything starting with {@code -----BEGIN})
     * @throws IllegalArgumentException naming the source and what is wrong with it
     */
    static List<VerificationKey> load(String fileOrPem) {
        String spec = fileOrPem.trim();
        boolean inline = spec.startsWith("-----BEGIN");
        String origin = inline ? "inline PEM" : spec;
        String text;
        if (inline) {
            text = spec;
        } else {
            try {
                text = Files.readString(Path.of(spec));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read the JWT public key file " + spec + ": " + e.getMessage(), e);
            }
        }
        try {
            List<VerificationKey> keys = new ArrayList<>();
            for (PublicKey k : parse(text)) {
                keys.add(VerificationKey.of(k, null, null, origin));
            }
            return keys;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("JWT public key " + origin + ": " + e.getMessage(), e);
        }
    }

    static List<PublicKey> parse(String text) {
        List<PublicKey> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String label = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the " + label + " block is not valid base64");
            }
            if (label.equals("PUBLIC KEY")) {
                out.add(publicKey(der));
            } else if (label.equals("CERTIFICATE")) {
                out.add(certificateKey(der));
            } else if (label.equals("RSA PUBLIC KEY")) {
                throw new IllegalArgumentException("PKCS#1 'RSA PUBLIC KEY' blocks are not read; convert the key with "
                        + "'openssl rsa -RSAPublicKey_in -in FILE -pubout'");
            } else if (label.contains("PRIVATE KEY")) {
                throw new IllegalArgumentException("this is a private key; give the node only the public key "
                        + "('openssl pkey -in FILE -pubout')");
            } else {
                throw new IllegalArgumentException("a '" + label + "' block is not a public key");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no PEM 'PUBLIC KEY' or 'CERTIFICATE' block found");
        }
        return out;
    }

    private static PublicKey publicKey(byte[] der) {
        for (String type : KEY_TYPES) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this type; try the next
            }
        }
        throw new IllegalArgumentException("the public key is not an RSA, EC or Ed25519 key");
    }

    private static PublicKey certificateKey(byte[] der) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the certificate cannot be read: " + e.getMessage(), e);
        }
    }
}
