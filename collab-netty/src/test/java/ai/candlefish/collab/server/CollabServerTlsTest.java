package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.Authenticator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wss://} from PEM files ({@code src/test/resources/tls}, made by its {@code generate.sh}). */
class CollabServerTlsTest {
  private static final Path CERTIFICATE = resource("tls/server.crt");
  private static final Path KEY = resource("tls/server.key");

  private CollabServer server;

  private static Path resource(String name) {
    try {
      return Paths.get(CollabServerTlsTest.class.getClassLoader().getResource(name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException(name, e);
    }
  }

  /** A JDK HTTP client that trusts only the test certificate. */
  private static HttpClient trustingTestCertificate() throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(CERTIFICATE)) {
      trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).build();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void wss_servesClientsThatTrustTheCertificate() throws Exception {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).tls(CERTIFICATE, KEY)
        .authenticator(Authenticator.insecureAllowAll("dev")).build().start();
    URI uri = URI.create("wss://127.0.0.1:" + server.port() + "/doc");
    HttpClient http = trustingTestCertificate();
    try (YClient alice = YClient.connect(uri, true, http); YClient bob = YClient.connect(uri, true, http)) {
      alice.awaitSynced();
      bob.awaitSynced();
      alice.insert(0, "over TLS");
      await().atMost(Duration.ofSeconds(30)).until(() -> bob.text().equals("over TLS"));
    }
  }

  @Test
  void tlsWithAnSslContext_servesClientsThatTrustTheCertificate() throws Exception {
    SslContext context = SslContextBuilder.forServer(CERTIFICATE.toFile(), KEY.toFile()).build();
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).tls(context)
        .authenticator(Authenticator.insecureAllowAll("dev")).build().start();
    assertThat(server.isSecure()).isTrue();
    URI uri = URI.create("wss://127.0.0.1:" + server.port() + "/doc");
    try (YClient alice = YClient.connect(uri, true, trustingTestCertificate())) {
      alice.awaitSynced();
    }
  }

  @Test
  void tlsWithAClientSslContext_isRefusedAtOnce() throws Exception {
    SslContext client = SslContextBuilder.forClient().build();
    assertThatThrownBy(() -> CollabServer.newBuilder().tls(client))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("forServer");
  }

  @Test
  void wss_isRefusedByClientsThatDoNotTrustTheCertificate_andPlainWsIsNotServed() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).tls(CERTIFICATE, KEY)
        .authenticator(Authenticator.insecureAllowAll("dev")).build().start();
    assertThatThrownBy(() -> YClient.connect(URI.create("wss://127.0.0.1:" + server.port() + "/doc")))
        .isInstanceOf(CompletionException.class);
    assertThatThrownBy(() -> YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/doc")))
        .isInstanceOf(CompletionException.class);
  }

  @Test
  void build_failsFast_onMissingOrWrongFiles_namingThem(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> CollabServer.newBuilder().tls(CERTIFICATE, missing)
        .authenticator(Authenticator.insecureAllowAll("dev")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key");
    assertThatThrownBy(() -> CollabServer.newBuilder().tls(CERTIFICATE, garbage)
        .authenticator(Authenticator.insecureAllowAll("dev")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("garbage.pem")
        .hasMessageContaining("PKCS#8");
    // The certificate where the key belongs, and the key where the certificate belongs.
    assertThatThrownBy(() -> CollabServer.newBuilder().tls(KEY, CERTIFICATE)
        .authenticator(Authenticator.insecureAllowAll("dev")).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(CollabServer.newBuilder().tls(CERTIFICATE, KEY)
        .authenticator(Authenticator.insecureAllowAll("dev")).build()).isNotNull();
  }
}
