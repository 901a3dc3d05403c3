package io.lifeboat.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS to the MQTT broker with {@code mqtt.caFile}: the PEM certificates in that file (a private CA, as
 * mosquitto/make-certs.sh makes) are the only ones trusted; without it Paho uses the JVM's trust store.
 * Host names are checked as usual: the broker's certificate must name the host in {@code mqtt.url}.
 */
public final class MqttTls {

    private MqttTls() {}

    /** Why {@code caFile} cannot be used (missing, unreadable, no PEM certificate), or null when it can. */
    static String problem(Path caFile) {
        try {
            certificates(caFile);
            return null;
        } catch (NoSuchFileException e) {
            return "no such file: " + caFile;
        } catch (IOException e) {
            return "cannot read " + caFile + ": " + e.getMessage();
        } catch (CertificateException e) {
            return caFile + " holds no PEM certificate (-----BEGIN CERTIFICATE-----): " + e.getMessage();
        }
    }

    /**
     * The socket factory for {@code ssl://} connections that trusts exactly the certificates in {@code
     * caFile}.
     *
     * @throws IllegalStateException when the file cannot be read (the config loader checked it before)
     */
    public static SSLSocketFactory socketFactory(Path caFile) {
        requireNonNull(caFile, "caFile");
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            List<Certificate> certs = certificates(caFile);
            for (int i = 0; i < certs.size(); i++) {
                trust.setCertificateEntry("mqtt-ca-" + i, certs.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("mqtt.caFile " + caFile + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path caFile) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new CertificateException("no certificate found");
            }
            return new ArrayList<>(certs);
        }
    }
}
